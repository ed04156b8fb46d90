import { createSignal, type Accessor } from 'solid-js';
import { ActiveSpeaker } from './active-speaker';

const SAMPLE_MS = 150;

/**
 * Names the active speaker a few times a second from the audio level each sender puts in its
 * RTP header extension (RFC 6464, read with getSynchronizationSources): no audio decoding or
 * WebAudio here, so nothing competes with the tiles' own playback of the same tracks.
 */
export class SpeakerWatch {
  readonly speaker: Accessor<string | null>;
  /** The last levels measured, by peer id (read by tests through window.confabDebug). */
  lastLevels = new Map<string, number>();
  private readonly picker = new ActiveSpeaker();
  private lastRtpTimestamps = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly receivers: () => Map<string, RTCRtpReceiver>) {
    const [speaker, setSpeaker] = createSignal<string | null>(null);
    this.speaker = speaker;
    this.timer = setInterval(() => setSpeaker(this.sample()), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): string | null {
    const now = performance.now();
    const levels = new Map<string, number>();
    const seen = new Map<string, number>();
    for (const [id, receiver] of this.receivers()) {
      // A source is listed for 10 s after its last packet: if its RTP timestamp has not moved
      // since the last sample, nothing new arrived and its old level is not speech now.
      // (Compared by RTP time, not `timestamp`, whose clock differed between pages here.)
      const source = receiver.getSynchronizationSources()[0];
      if (!source) continue;
      seen.set(id, source.rtpTimestamp);
      const fresh = this.lastRtpTimestamps.get(id) !== source.rtpTimestamp;
      levels.set(id, fresh && receiver.track.enabled ? (source.audioLevel ?? 0) : 0);
    }
    this.lastRtpTimestamps = seen;
    this.lastLevels = levels;
    return this.picker.update(levels, now);
  }
}
