/**
 * The one rate limit of every side (signaling frames, relay records and room messages, a sync
 * peer's requests and writes): `burst` at once, then `perSecond`, refilled continuously.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.lastMs = now();
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) / 1000) * this.perSecond);
    this.lastMs = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** Wall-clock time, for buckets that tests drive through `Date.now`. */
export const wallClockMs = (): number => Date.now();
