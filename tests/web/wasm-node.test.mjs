// The wasm build, loaded in Node, against the native CLI: same crate version, same error messages, and a
// bit-identical run.json for a small config. Run by `cargo xtask test`, which builds both and sets:
//   HB_PKG_NODE       the wasm-bindgen `--target nodejs` output (target/pkg-node)
//   HB_CLI            the native release binary (target/release/hessian-boundary)
//   HB_OUT_DIR        where to write both run.json files for inspection (target/agreement)
//   HB_CRATE_VERSION  the crate version from Cargo.toml
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { required } from './env.mjs';

const env = required('these checks with `cargo xtask test`');

const wasm = createRequire(import.meta.url)(path.join(env('HB_PKG_NODE'), 'hessian_boundary.js'));
const outDir = env('HB_OUT_DIR');

/**
 * Configs whose run.json must come out byte for byte the same natively and in wasm: a small one on the
 * authors' moons, the paper's main setting (the authors' gaussian points, p = 10,703, 2000 epochs, top-10
 * Lanczos: the spectrum stage in the browser build gives the native eigenpairs to the last bit), and an
 * old v=1 link (our seeded moons).
 */
const QUERIES = [
  ['small', 'dataset=moons&layers=8,8&epochs=30&k=2&seed=3'],
  ['paper-setting', 'v=2'],
  ['seeded-v1-link', 'v=1&dataset=moons&layers=16,16&epochs=200&k=3&grid=32'],
];
/** A config every version must refuse, so the error path can be compared. */
const BAD_QUERY = 'dataset=no-such-dataset';

/** Runs the native CLI: {ok: true, text} with run.json's text, or {ok: false, message}. */
function native(query, name) {
  const dir = path.join(outDir, name);
  rmSync(dir, { recursive: true, force: true });
  const cli = spawnSync(env('HB_CLI'), ['run', '--config', query, '--out', dir], { encoding: 'utf8' });
  if (cli.error) throw new Error(`cannot run the native CLI ${env('HB_CLI')}: ${cli.error.message}`);
  if (cli.status === 0) return { ok: true, text: readFileSync(path.join(dir, 'run.json'), 'utf8') };
  const stderr = cli.stderr.trim();
  return { ok: false, message: stderr.replace(/^error: /, ''), stderr, status: cli.status };
}

/** Runs the wasm build: {ok: true, text} or {ok: false, message} from the thrown JS error. */
function inWasm(query) {
  try {
    return { ok: true, text: wasm.run_json(query, undefined) };
  } catch (e) {
    assert.ok(e instanceof Error, `run_json threw a ${typeof e}, not an Error: ${e}`);
    return { ok: false, message: e.message };
  }
}

/** The first place two parsed JSON values differ: a path and both values, or null. Numbers compare by bits. */
function firstDifference(a, b, at = '$') {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : { at, a, b };
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { at: `${at}.length`, a: a.length, b: b.length };
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : { at, a, b };
}

/** Counts the params whose bits differ (shortest round-trip JSON numbers parse back to the exact f64). */
function paramMismatches(a, b) {
  const pa = a?.model?.params ?? [];
  const pb = b?.model?.params ?? [];
  let n = Math.abs(pa.length - pb.length);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (!Object.is(pa[i], pb[i])) n++;
  return { n, of: Math.max(pa.length, pb.length) };
}

test('version() is the crate version', () => {
  assert.equal(wasm.version(), env('HB_CRATE_VERSION'));
});

test('a refused config throws a JS Error with the same message as the native CLI', () => {
  const n = native(BAD_QUERY, 'bad-config');
  const w = inWasm(BAD_QUERY);
  assert.ok(!n.ok, `the native CLI accepted ${BAD_QUERY}`);
  assert.ok(!w.ok, `run_json accepted ${BAD_QUERY}`);
  assert.match(w.message, /dataset/, 'the message names the bad key');
  assert.equal(w.message, n.message);
});

for (const [name, QUERY] of QUERIES) test(`run.json is bit-identical natively and in wasm for ${QUERY}`, () => {
  const n = native(QUERY, `native-${name}`);
  const w = inWasm(QUERY);
  rmSync(path.join(outDir, `wasm-${name}`), { recursive: true, force: true });
  mkdirSync(path.join(outDir, `wasm-${name}`), { recursive: true });
  if (w.ok) writeFileSync(path.join(outDir, `wasm-${name}`, 'run.json'), w.text);
  if (!n.ok) {
    assert.fail(
      `the native CLI could not run ${QUERY} (exit ${n.status}): ${n.message}\n` +
        `the wasm build ${w.ok ? 'returned a run.json' : `failed too: ${w.message}`}\n` +
        'the pipeline (run_query) must finish this config for the agreement check to pass',
    );
  }
  if (!w.ok) assert.fail(`the native CLI ran ${QUERY}, but the wasm build failed: ${w.message}`);
  if (n.text === w.text) return;

  // Not identical: say where, and whether the trained parameters differ.
  let a, b;
  try {
    a = JSON.parse(n.text);
    b = JSON.parse(w.text);
  } catch (e) {
    assert.fail(`run.json does not parse: ${e.message}`);
  }
  const params = paramMismatches(a, b);
  const d = firstDifference(a, b);
  let i = 0;
  while (i < n.text.length && n.text[i] === w.text[i]) i++;
  assert.fail(
    `run.json differs (native ${n.text.length} bytes, wasm ${w.text.length}); see ${outDir}/{native,wasm}-${name}/run.json\n` +
      `model.params: ${params.n} of ${params.of} differ in their bits\n` +
      (d ? `first difference at ${d.at}: native ${JSON.stringify(d.a)}, wasm ${JSON.stringify(d.b)}\n` : '') +
      `first differing byte ${i}: native …${JSON.stringify(n.text.slice(Math.max(0, i - 40), i + 40))}…, ` +
      `wasm …${JSON.stringify(w.text.slice(Math.max(0, i - 40), i + 40))}…`,
  );
});

/** The file kinds people export, each with its own delimiter, quoting, decimal mark or labels. */
const CSV_KINDS = (() => {
  const rows = Array.from({ length: 30 }, (_, i) => [((i % 7) / 3 - 1).toFixed(3), (((i * 5) % 11) / 5 - 1).toFixed(3), i % 3]);
  const names = ['setosa', 'versicolor', 'virginica'];
  return {
    quoted: ['"x","y","label"', ...rows.map((r) => r.map((c) => `"${c}"`).join(','))].join('\n'),
    semicolon: ['x;y;label', ...rows.map(([x, y, l]) => `${x.replace('.', ',')};${y.replace('.', ',')};${l}`)].join('\r\n'),
    tab: ['x\ty\tlabel', ...rows.map((r) => r.join('\t'))].join('\n'),
    names: rows.map(([x, y, l]) => `${x},${y},${names[l]}`).join('\n'),
  };
})();

test('CSV files and the links that carry them load the same natively and in wasm', () => {
  const query = 'dataset=csv&layers=6&epochs=20&k=2&grid=16';
  for (const [kind, csv] of Object.entries(CSV_KINDS)) {
    const dir = path.join(outDir, `csv-${kind}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'data.csv'), csv);
    const { link } = JSON.parse(wasm.data_link(csv));
    assert.equal(wasm.read_data_link(link), csv, `${kind}: the link round-trips`);
    const w = wasm.run_json(query, csv);
    for (const args of [['--data', path.join(dir, 'data.csv')], ['--data-link', `http://x/?${query}#data=${link}`]]) {
      const cli = spawnSync(env('HB_CLI'), ['run', '--config', query, '--out', dir, ...args], { encoding: 'utf8' });
      assert.equal(cli.status, 0, `${kind}: ${cli.stderr}`);
      assert.equal(readFileSync(path.join(dir, 'run.json'), 'utf8'), w, `${kind} ${args[0]}: native and wasm run.json differ`);
    }
    if (kind === 'names') assert.match(w, /"class_names":\["setosa","versicolor","virginica"\]/);
  }
  assert.throws(() => wasm.read_data_link('eJw'), /the data in the link is damaged/);
});
