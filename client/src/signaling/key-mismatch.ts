/**
 * Telling a newcomer that its link's secret is wrong, without telling a stranger anything.
 *
 * Someone who opens a link with the right room id and a wrong secret lands on the right room
 * topic, but nobody can read anyone: without help they would wait forever for others. So a
 * peer that gets a frame on the room topic it cannot decrypt answers, on that topic, with
 * UNDECRYPTABLE_HINT: a fixed string, the same for every room and every peer, derived from
 * nothing. The newcomer shows "This link is not valid or the room has ended" if such a hint
 * comes soon after it announced itself and it has read nothing from the room.
 *
 * Abuse (PROTOCOL.md): the hint carries no cleartext, no key material and no identity, and is
 * never answered. Each peer sends at most one per HINT_INTERVAL_MS, after a random delay, and
 * none if another peer's hint was seen meanwhile, so garbage on the topic costs about one hint
 * per interval per room. A forged hint can only show that message to a newcomer who reads
 * nothing from the room within HEED_WINDOW_MS; any readable signal clears it.
 */
export const UNDECRYPTABLE_HINT = 'confab:undecryptable:v1';

export const KEY_MISMATCH_TIMINGS = {
  hintIntervalMs: 5_000,
  hintJitterMs: 1_000,
  heedWindowMs: 15_000,
};

export interface KeyMismatchOptions {
  /** Publish UNDECRYPTABLE_HINT on the room topic. */
  publishHint(): void;
  /** The link looks wrong (true), or a readable signal proved it right after all (false). */
  onSuspect(suspected: boolean): void;
  random?: () => number;
}

export class KeyMismatch {
  private announcedAtMs = -Infinity;
  private heardValid = false;
  private suspected = false;
  private lastHintMs = -Infinity;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: KeyMismatchOptions) {}

  /** We announced ourselves on the room topic: hints in the next HEED_WINDOW_MS concern us. */
  announced(): void {
    this.announcedAtMs = Date.now();
  }

  /** A frame from the room decrypted and parsed: our secret is right. */
  validSignal(): void {
    this.heardValid = true;
    if (this.suspected) {
      this.suspected = false;
      this.opts.onSuspect(false);
    }
  }

  /** A frame on the room topic did not decrypt: maybe answer it, once, with a hint. */
  undecryptable(): void {
    if (this.pending !== undefined || Date.now() - this.lastHintMs < KEY_MISMATCH_TIMINGS.hintIntervalMs) return;
    const delayMs = (this.opts.random ?? Math.random)() * KEY_MISMATCH_TIMINGS.hintJitterMs;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (Date.now() - this.lastHintMs < KEY_MISMATCH_TIMINGS.hintIntervalMs) return;
      this.lastHintMs = Date.now();
      this.opts.publishHint();
    }, delayMs);
  }

  /** Someone on the room topic could not decrypt a frame. */
  hintReceived(): void {
    // Another peer answered already: ours would add nothing.
    this.lastHintMs = Date.now();
    if (this.heardValid || this.suspected) return;
    if (Date.now() - this.announcedAtMs > KEY_MISMATCH_TIMINGS.heedWindowMs) return;
    this.suspected = true;
    this.opts.onSuspect(true);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
  }
}
