const SAMPLE_MS = 200;
/**
 * Each sample looks at the last 16,384 audio samples (341 ms at 48 kHz, more than SAMPLE_MS even
 * when timers run late), so a short sound between two samples is never missed.
 */
const WINDOW = 16_384;
/** Peak level (0..1) above which the microphone counts as speech. */
const FLOOR = 0.05;
/** Speech keeps counting this long after the last loud sample: pauses between words do not flap the video. */
const HOLD_MS = 2_000;

/**
 * Whether this person is speaking, from their own microphone (WebAudio, a few times a second).
 * Used only while the room is above the mesh threshold with no relay: then everyone sends audio
 * but only those speaking send video (PROTOCOL.md, "Topology"). A muted microphone is silent.
 */
export class SelfSpeaking {
  private readonly context = new AudioContext();
  private readonly timer: ReturnType<typeof setInterval>;
  private lastLoudMs = -Infinity;
  private speaking = false;

  constructor(track: MediaStreamTrack, onChange: (speaking: boolean) => void) {
    const analyser = this.context.createAnalyser();
    analyser.fftSize = WINDOW;
    this.context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // A page never clicked (a reload straight into the room) may not start audio: ask, and
    // meanwhile count as speaking, so a person is never left without video for that.
    void this.context.resume().catch(() => undefined);
    this.timer = setInterval(() => {
      const now = performance.now();
      if (this.context.state !== 'running') this.lastLoudMs = now;
      analyser.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      if (track.enabled && peak > FLOOR) this.lastLoudMs = now;
      const speaking = now - this.lastLoudMs <= HOLD_MS;
      if (speaking === this.speaking) return;
      this.speaking = speaking;
      onChange(speaking);
    }, SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    void this.context.close();
  }
}
