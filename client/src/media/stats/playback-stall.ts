/**
 * Notices a tile whose <video> has stopped moving although its stream has live video: Chromium
 * sometimes leaves an element frozen after its track was muted for a while (a network drop, a
 * redial) or after the tile was re-laid out before its first frame. The people in the call see
 * a frozen face and cannot fix it; reattaching the stream can.
 */
export interface PlaybackSample {
  currentTime: number;
  paused: boolean;
  /** The stream has a video track that is live, enabled and receiving (not muted). */
  videoLive: boolean;
  nowMs: number;
}

export const STALLED_AFTER_MS = 3_000;
/** After a restart the element gets this long to start before another. */
export const RESTART_GAP_MS = 5_000;

export class PlaybackStall {
  private lastTime = -1;
  private stalledSince: number | null = null;
  private lastRestartMs = -Infinity;

  /** True when the element should be restarted now. */
  sample(s: PlaybackSample): boolean {
    const moved = s.currentTime !== this.lastTime;
    this.lastTime = s.currentTime;
    if (!s.videoLive || (moved && !s.paused)) {
      this.stalledSince = null;
      return false;
    }
    this.stalledSince ??= s.nowMs;
    if (s.nowMs - this.stalledSince < STALLED_AFTER_MS || s.nowMs - this.lastRestartMs < RESTART_GAP_MS) return false;
    this.lastRestartMs = s.nowMs;
    this.stalledSince = null;
    return true;
  }
}

const CHECK_EVERY_MS = 1_000;

/** Checks `video` every second; reattaches its stream and plays it when it has stalled. */
export function watchPlayback(video: HTMLVideoElement, onRestart: () => void): () => void {
  const stall = new PlaybackStall();
  const timer = setInterval(() => {
    const stream = video.srcObject instanceof MediaStream ? video.srcObject : null;
    // A tile on another page of the grid is not drawn, so its clock is no sign of trouble.
    const shown = video.checkVisibility();
    const videoLive = shown && !!stream?.getVideoTracks().some((t) => t.readyState === 'live' && t.enabled && !t.muted);
    if (!stall.sample({ currentTime: video.currentTime, paused: video.paused, videoLive, nowMs: performance.now() })) return;
    video.srcObject = null;
    video.srcObject = stream;
    void video.play().catch(() => undefined);
    onRestart();
  }, CHECK_EVERY_MS);
  return () => clearInterval(timer);
}
