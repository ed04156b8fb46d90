/**
 * Keyframe requests, throttled twice (as SFUs such as LiveKit and mediasoup do): per up layer,
 * at most one request goes to the publisher in a window, and what arrives meanwhile is served by
 * the keyframe already asked for (or by one request when the window ends); per down tile, a
 * subscriber that keeps asking although keyframes reach it (a decoder that cannot open the
 * frames: a failing transform, a client without the key) is heard ever less often. A keyframe
 * costs every subscriber of the layer several times a delta frame's bytes.
 */

/** At most one request per up layer this often; later ones wait for the keyframe asked for. */
export const KEYFRAME_WINDOW_MS = 500;
/** A tile asking again within this long of its last honoured request doubles its wait (from the window up to the max). */
const BACKOFF_RESET_MS = 10_000;
const BACKOFF_MAX_MS = 8_000;

/** Per publisher: when each up stream (camera layers, screen) was last asked, and whether a request is owed. */
export class UpKeyframeRequests {
  private readonly askedAtMs: Float64Array;
  /** Asked for within the window and not yet served by a keyframe: one request when the window ends. */
  private readonly owed: Uint8Array;

  constructor(streams: number) {
    this.askedAtMs = new Float64Array(streams).fill(-Infinity);
    this.owed = new Uint8Array(streams);
  }

  /** Someone needs a keyframe of `stream`: true when a request should go upstream now. */
  want(stream: number, nowMs: number): boolean {
    if (nowMs - this.askedAtMs[stream]! < KEYFRAME_WINDOW_MS) {
      this.owed[stream] = 1;
      return false;
    }
    this.askedAtMs[stream] = nowMs;
    this.owed[stream] = 0;
    return true;
  }

  /** A keyframe of `stream` began: it serves everyone who asked before it. */
  keyframeSeen(stream: number): void {
    this.owed[stream] = 0;
  }

  /** A request was held back and its window is over: true (and recorded as asked) when it should go now. */
  due(stream: number, nowMs: number): boolean {
    return this.owed[stream] === 1 && this.want(stream, nowMs);
  }
}

/** Per down tile: how often its own keyframe requests (RTCP PLI/FIR) are honoured. */
export class TileKeyframeBackoff {
  private lastAtMs = -Infinity;
  private waitMs = 0;

  /** The tile asks for a keyframe: false while it must wait. */
  allow(nowMs: number): boolean {
    const since = nowMs - this.lastAtMs;
    if (since < this.waitMs) return false;
    this.waitMs = since < BACKOFF_RESET_MS ? Math.min(BACKOFF_MAX_MS, Math.max(KEYFRAME_WINDOW_MS, this.waitMs * 2)) : 0;
    this.lastAtMs = nowMs;
    return true;
  }

  /** A new stream in the tile (another publisher or layer): its requests count afresh. */
  reset(): void {
    this.lastAtMs = -Infinity;
    this.waitMs = 0;
  }
}
