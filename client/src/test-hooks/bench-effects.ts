import { loadRnnoise, RnnoiseWorkletNode } from '@sapphi-red/web-noise-suppressor';
import rnnoiseWorkletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import rnnoiseWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import rnnoiseSimdWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';

/**
 * The CPU cost of noise suppression, for the bench (test build only): `seconds` of a voice-like
 * tone in noise rendered offline through RNNoise, and the same without it; the difference over
 * the audio's length is the share of one core that suppression takes in a call.
 */
export async function noiseSuppressionCost(seconds: number): Promise<{ seconds: number; withMs: number; withoutMs: number; rmsWith: number; rmsWithout: number }> {
  const wasmBinary = await loadRnnoise({ url: rnnoiseWasmUrl, simdUrl: rnnoiseSimdWasmUrl });
  const render = async (suppress: boolean) => {
    const ctx = new OfflineAudioContext(1, 48_000 * seconds, 48_000);
    const noise = ctx.createBuffer(1, 48_000 * seconds, 48_000);
    const data = noise.getChannelData(0);
    for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 0.1 + 0.3 * Math.sin((2 * Math.PI * 220 * i) / 48_000) * (Math.floor(i / 24_000) % 2);
    const source = ctx.createBufferSource();
    source.buffer = noise;
    let tail: AudioNode = source;
    if (suppress) {
      await ctx.audioWorklet.addModule(rnnoiseWorkletUrl);
      const node = new RnnoiseWorkletNode(ctx as unknown as AudioContext, { maxChannels: 1, wasmBinary });
      tail = tail.connect(node);
    }
    tail.connect(ctx.destination);
    source.start();
    const started = performance.now();
    const out = (await ctx.startRendering()).getChannelData(0);
    const ms = performance.now() - started;
    let sq = 0;
    for (const v of out) sq += v * v;
    return { ms, rms: Math.sqrt(sq / out.length) };
  };
  const without = await render(false);
  const withIt = await render(true);
  // The RMS out shows the suppressor really ran (the noise is gone), not a pass-through.
  return { seconds, withMs: withIt.ms, withoutMs: without.ms, rmsWith: withIt.rms, rmsWithout: without.rms };
}
