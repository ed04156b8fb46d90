import { findRtpExtension } from './rtp';

/** RFC 6464 level of an audio packet: 0 (loudest, 0 dBov) … 127 (silence); 127 when absent. */
export function audioLevel(buf: Uint8Array, extensionId: number): number {
  const at = findRtpExtension(buf, extensionId);
  return at < 0 ? 127 : buf[at]! & 0x7f;
}

/** Smoothing of the per-packet loudness (127 − level): a fraction of each new packet. */
const SMOOTHING = 0.1;
/** Below this smoothed loudness a speaker counts as silent (muted or not talking) and is never forwarded. */
const SILENT_BELOW = 2;

/**
 * The loudest few speakers of a room. Packets update a number in a typed array (no allocation);
 * `rank()` runs on a timer and reorders. A speaker keeps its place until another is clearly
 * louder (hysteresis), so slots do not flap between two similar voices.
 */
export class LoudestSelector {
  private loudness = new Float64Array(8);
  private active = new Uint8Array(8);
  /** Speaker indexes, loudest first; only speakers above silence. */
  ranking: number[] = [];

  constructor(
    /** How many places at the top are sticky (the number of voices forwarded). */
    private readonly stickyTop = 3,
    private readonly hysteresis = 6,
  ) {}

  /** Speakers are small integers handed out by the room. */
  add(speaker: number): void {
    if (speaker >= this.loudness.length) {
      const size = Math.max(speaker + 1, this.loudness.length * 2);
      const loudness = new Float64Array(size);
      loudness.set(this.loudness);
      const active = new Uint8Array(size);
      active.set(this.active);
      this.loudness = loudness;
      this.active = active;
    }
    this.loudness[speaker] = 0;
    this.active[speaker] = 1;
  }

  remove(speaker: number): void {
    this.active[speaker] = 0;
    this.loudness[speaker] = 0;
  }

  /** Per packet: fold the packet's RFC 6464 level into the speaker's loudness. */
  observe(speaker: number, level: number): void {
    const l = this.loudness[speaker]!;
    this.loudness[speaker] = l + (127 - level - l) * SMOOTHING;
  }

  loudnessOf(speaker: number): number {
    return this.loudness[speaker] ?? 0;
  }

  /** Recomputes `ranking`; returns true when it changed. */
  rank(): boolean {
    const previous = this.ranking;
    const top = previous.slice(0, this.stickyTop);
    const score = (s: number) => this.loudness[s]! + (top.includes(s) ? this.hysteresis : 0);
    const next: number[] = [];
    for (let s = 0; s < this.active.length; s++) if (this.active[s] && this.loudness[s]! >= SILENT_BELOW) next.push(s);
    next.sort((a, b) => score(b) - score(a) || a - b);
    const changed = next.length !== previous.length || next.some((s, i) => s !== previous[i]);
    this.ranking = next;
    return changed;
  }

  /** The `count` loudest speakers other than `listener` (nobody hears themselves). */
  loudestFor(listener: number, count: number): number[] {
    const out: number[] = [];
    for (const s of this.ranking) {
      if (out.length === count) break;
      if (s !== listener) out.push(s);
    }
    return out;
  }
}
