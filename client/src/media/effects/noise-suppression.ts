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
    // Started from a click or by the join screen: resume in case it came up suspended.
    void ctx.resume().catch(() => undefined);
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
