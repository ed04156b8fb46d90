import { createSignal, type Accessor } from 'solid-js';
import { ActiveSpeaker } from './active-speaker';

const SAMPLE_MS = 150;
/** ~170 ms at 48 kHz: each sample covers the whole interval, so short sounds are not missed. */
const WINDOW_SAMPLES = 8192;
/**
 * A meter that has read pure zeros this long is rebuilt: in Chromium, a WebAudio source made
 * from a remote track before its audio flows can stay silent for good (seen in our e2e runs).
 * A muted peer also reads zeros; rebuilding its meter every few seconds costs next to nothing.
 */
const REBUILD_SILENT_METER_MS = 4000;

/**
 * Measures each remote audio track with a WebAudio analyser (in Chromium, receiver
 * `audioLevel` stats can stay 0) and names the active speaker a few times a second.
 */
export class SpeakerWatch {
  readonly speaker: Accessor<string | null>;
  /** The last levels measured, by peer id (read by tests through window.confabDebug). */
  lastLevels = new Map<string, number>();
  /** Made on first need: an AudioContext costs tens of ms to start, and nothing to measure when alone. */
  private context: AudioContext | null = null;
  private readonly meters = new Map<
    string,
    { track: MediaStreamTrack; analyser: AnalyserNode; source: MediaStreamAudioSourceNode; heardAt: number }
  >();
  private readonly picker = new ActiveSpeaker();
  private readonly samples = new Float32Array(WINDOW_SAMPLES);
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly tracks: () => Map<string, MediaStreamTrack>) {
    const [speaker, setSpeaker] = createSignal<string | null>(null);
    this.speaker = speaker;
    this.timer = setInterval(() => setSpeaker(this.sample()), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    void this.context?.close();
  }

  private sample(): string | null {
    const current = this.tracks();
    if (current.size === 0 && this.meters.size === 0) return this.picker.update(new Map(), performance.now());
    const context = (this.context ??= new AudioContext());
    if (context.state === 'suspended') void context.resume();
    const now = performance.now();
    for (const [id, meter] of this.meters) {
      if (current.get(id) !== meter.track || now - meter.heardAt > REBUILD_SILENT_METER_MS) {
        meter.source.disconnect();
        this.meters.delete(id);
      }
    }
    const levels = new Map<string, number>();
    for (const [id, track] of current) {
      let meter = this.meters.get(id);
      if (!meter) {
        const analyser = context.createAnalyser();
        analyser.fftSize = this.samples.length;
        const source = context.createMediaStreamSource(new MediaStream([track]));
        source.connect(analyser);
        meter = { track, analyser, source, heardAt: now };
        this.meters.set(id, meter);
      }
      meter.analyser.getFloatTimeDomainData(this.samples);
      let sum = 0;
      for (const s of this.samples) sum += s * s;
      if (sum > 0) meter.heardAt = now;
      levels.set(id, track.enabled && track.readyState === 'live' ? Math.sqrt(sum / this.samples.length) : 0);
    }
    this.lastLevels = levels;
    return this.picker.update(levels, now);
  }
}
