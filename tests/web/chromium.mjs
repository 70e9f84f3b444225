// Debian's headless Chromium through playwright-core (no browser download), for the browser tests and the
// browser benchmark alike: a persistent context on a fresh profile dir of ours, with the flags that keep
// it off the network (this machine refuses Chromium's background connections).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Starts Chromium (`executablePath`) on a fresh profile; returns `{ context, profile }`. */
export async function launch(executablePath, options = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'hb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    chromiumSandbox: false,
    viewport: { width: 1280, height: 900 },
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
  return { context, profile };
}
