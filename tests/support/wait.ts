/** Waiting in tests: a fixed pause, or polling until a condition holds. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `pollMs` until it holds; throws naming what never happened. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** waitUntil for a synchronous check, polled every 20 ms, with a short default timeout. */
export const until = (check: () => boolean, what = 'condition', timeoutMs = 3_000, pollMs = 20): Promise<void> =>
  waitUntil(check, timeoutMs, what, pollMs);
