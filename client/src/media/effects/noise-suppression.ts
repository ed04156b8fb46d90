import { loadRnnoise, RnnoiseWorkletNode } from '@sapphi-red/web-noise-suppressor';
import rnnoiseWorkletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import rnnoiseWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import rnnoiseSimdWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';
import type { MediaEffect } from '../local-media';

/**
 * RNNoise (xiph's recurrent-network noise suppressor, in WebAssembly) in an AudioWorklet,
 * between the microphone and the connections: what others hear (and a recording) is already
 * cleaned. The worklet and the wasm are files of this build, served from our own origin.
 * RNNoise works on 48 kHz frames of 480 samples: 10 ms of added latency.
 */
export class NoiseSuppression implements MediaEffect {
  private ctx: AudioContext | null = null;
  private node: RnnoiseWorkletNode | null = null;
  private out: MediaStreamTrack | null = null;
  private static wasm: Promise<ArrayBuffer> | null = null;

  async start(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    this.stop();
    const ctx = new AudioContext({ sampleRate: 48_000 });
    this.ctx = ctx;
    NoiseSuppression.wasm ??= loadRnnoise({ url: rnnoiseWasmUrl, simdUrl: rnnoiseSimdWasmUrl });
    const [wasmBinary] = await Promise.all([NoiseSuppression.wasm, ctx.audioWorklet.addModule(rnnoiseWorkletUrl)]);
    if (this.ctx !== ctx) throw new Error('stopped while starting');
    const source = ctx.createMediaStreamSource(new MediaStream([raw]));
    this.node = new RnnoiseWorkletNode(ctx, { maxChannels: 1, wasmBinary });
    const sink = ctx.createMediaStreamDestination();
    source.connect(this.node).connect(sink);
    // Without a click or key press yet (the join screen, a reload straight back into the call)
    // the browser may keep the context suspended: its output would be silence. Then the
    // microphone goes out as it is until the page gets a gesture (NoiseChoice retries).
    await Promise.race([ctx.resume().catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
    if (ctx.state !== 'running') {
      this.stop();
      throw new NeedsGestureError();
    }
    this.out = sink.stream.getAudioTracks()[0]!;
    return this.out;
  }

  stop(): void {
    this.node?.destroy();
    this.node = null;
    this.out?.stop();
    this.out = null;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }
}

/** The browser's autoplay policy holds audio processing until the person clicks or types. */
export class NeedsGestureError extends Error {
  constructor() {
    super('audio processing waits for a click or key press');
  }
}
