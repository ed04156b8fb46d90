/**
 * Who is speaking, from audio levels sampled a few times a second. Pure logic (no WebAudio):
 * the loudest level above a floor wins, but the current speaker keeps the highlight through
 * short pauses, and someone new takes it only when clearly louder for a moment, so the
 * highlight does not flicker between people who talk over each other.
 */
export interface SpeakerOptions {
  /** RMS level (0..1) below which nobody is speaking. */
  floor: number;
  /** The current speaker stays for this long after going quiet. */
  holdMs: number;
  /** A challenger must be this many times louder than the current speaker… */
  switchRatio: number;
  /** …for this long, to take over. */
  switchMs: number;
}

export const DEFAULT_SPEAKER_OPTIONS: SpeakerOptions = { floor: 0.02, holdMs: 1500, switchRatio: 1.5, switchMs: 300 };

export class ActiveSpeaker {
  private current: string | null = null;
  private lastHeardAt = 0;
  private challenger: { id: string; since: number } | null = null;

  constructor(private readonly opts: SpeakerOptions = DEFAULT_SPEAKER_OPTIONS) {}

  get speaker(): string | null {
    return this.current;
  }

  /** Feeds one sample of every participant's level; returns the speaker after it. */
  update(levels: ReadonlyMap<string, number>, nowMs: number): string | null {
    let loudest: string | null = null;
    let loudestLevel = this.opts.floor;
    for (const [id, level] of levels) {
      if (level > loudestLevel) {
        loudest = id;
        loudestLevel = level;
      }
    }
    const currentLevel = this.current === null ? 0 : (levels.get(this.current) ?? 0);
    if (this.current !== null && !levels.has(this.current)) this.current = null;
    if (this.current !== null && currentLevel > this.opts.floor) this.lastHeardAt = nowMs;

    if (loudest === null || loudest === this.current) {
      this.challenger = null;
    } else if (this.current === null || nowMs - this.lastHeardAt > this.opts.holdMs) {
      this.take(loudest, nowMs);
    } else if (loudestLevel > currentLevel * this.opts.switchRatio) {
      if (this.challenger?.id !== loudest) this.challenger = { id: loudest, since: nowMs };
      else if (nowMs - this.challenger.since >= this.opts.switchMs) this.take(loudest, nowMs);
    } else {
      this.challenger = null;
    }
    if (this.current !== null && nowMs - this.lastHeardAt > this.opts.holdMs) this.current = null;
    return this.current;
  }

  private take(id: string, nowMs: number): void {
    this.current = id;
    this.lastHeardAt = nowMs;
    this.challenger = null;
  }
}
