// Numbers and durations as the page writes them: 3 significant digits, a real minus sign, ×10ⁿ for the
// very large and small, and sub- and superscript digits.

const MINUS = '−';

/** Class c as the page writes it: its name where the data names its classes (`names`), else "class c". */
export const className = (c, names) => names?.[c] ?? `class ${c}`;
export function num(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s;
  if (a >= 1e-3 && a < 1e4) {
    s = x.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(a))));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  else {
    const [m, e] = x.toExponential(digits - 1).split('e');
    const mantissa = m.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    s = `${mantissa}×10${superscript(Number(e))}`;
  }
  return s.replace(/-/g, MINUS);
}
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
export const superscript = (e) => (e < 0 ? '⁻' : '') + String(Math.abs(e)).replace(/\d/g, (d) => SUPERSCRIPTS[d]);
export const percent = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '—');
export function duration(s) {
  if (!Number.isFinite(s)) return '';
  if (s < 1) return 'under a second';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
export const sub = (i) => String(i).replace(/\d/g, (d) => SUBSCRIPTS[d]);

/** How many eigenvectors G counted, of how many: e.g. "254 of all 10,703", an interval where the
 * certificate did not close, "of top 10" where only the solver's were counted. */
export const counted = (g) => {
  const [low, high] = g.counted;
  const count = low === high ? low.toLocaleString('en') : `${low.toLocaleString('en')}–${high.toLocaleString('en')}`;
  return g.over === 'all' ? `${count} of all ${g.params.toLocaleString('en')}` : `${count} of top ${g.k}`;
};

