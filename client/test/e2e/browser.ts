// Headless Debian Chromium through playwright-core (no browser download), and what every e2e
// driver shares.
import { Browser, chromium } from 'playwright-core';

/** How long one Chromium start may take; one that does not start in time is tried once more. */
export const LAUNCH_TIMEOUT_MS = 60_000;

export async function launch(timeoutMs = LAUNCH_TIMEOUT_MS): Promise<Browser> {
  const options = {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: timeoutMs,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
    ],
  };
  try {
    return await chromium.launch(options);
  } catch (first) {
    // a busy machine can miss the start-up timeout once; a second miss is a real failure
    console.error(`[browser] headless Chromium did not start (${firstLine(first)}); trying once more`);
    try {
      return await chromium.launch(options);
    } catch (second) {
      throw new Error(`headless Chromium did not start, twice: ${firstLine(second)}`);
    }
  }
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** `CACHEMOUNT_E2E_BREAK=ui,main` makes those phases exit at once, with no results: to check that
 *  tests/client/run-e2e.sh counts every check of a crashed phase as failed. */
export function breakIfAsked(phase: string): void {
  const broken = (process.env.CACHEMOUNT_E2E_BREAK ?? '').split(',').map((p) => p.trim());
  if (broken.includes(phase)) {
    console.error(`[e2e] the ${phase} phase exits on purpose (CACHEMOUNT_E2E_BREAK=${process.env.CACHEMOUNT_E2E_BREAK})`);
    process.exit(3);
  }
}

export interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  /** measurements (times in ms), reported, never asserted */
  metrics?: Record<string, number | string | boolean | number[]>;
}
