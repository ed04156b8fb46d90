/**
 * Frame counters already accepted from one sender in one epoch (RFC 4303's anti-replay window,
 * as SRTP does it): a counter at or below `highest - WINDOW` or seen before is a replay. Only
 * counters of frames that opened are recorded, so a forged frame cannot move the window.
 */
export const REPLAY_WINDOW = 1024;

export class ReplayWindow {
  private highest = -1;
  private readonly seen = new Uint8Array(REPLAY_WINDOW);

  /** True if `counter` may be new (check before opening; `accept` after). */
  fresh(counter: number): boolean {
    if (counter > this.highest) return true;
    if (counter <= this.highest - REPLAY_WINDOW) return false;
    return this.seen[counter % REPLAY_WINDOW] === 0;
  }

  /** Records an opened frame's counter; false if it was accepted meanwhile (two copies in flight). */
  accept(counter: number): boolean {
    if (!this.fresh(counter)) return false;
    if (counter > this.highest) {
      // Slots between the old and the new highest belong to counters never seen.
      const from = Math.max(this.highest + 1, counter - REPLAY_WINDOW + 1);
      for (let c = from; c < counter; c++) this.seen[c % REPLAY_WINDOW] = 0;
      this.highest = counter;
    }
    this.seen[counter % REPLAY_WINDOW] = 1;
    return true;
  }
}
