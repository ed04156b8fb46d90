import type { Browser } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { peerIds, twoPersonCall, waitUntil } from '../support/room-actions';
import { bundleSizes } from './client-bench';

/**
 * Issue 14's figures: the first page's bundle against the lazy chunks of the comforts; the
 * background pipeline's milliseconds per frame at 640×480 (segmentation and compositing, in
 * the sender's page, fake camera); RNNoise's CPU as a share of one core.
 */
export async function comfortsBench(browser: Browser, baseUrl: string): Promise<void> {
  const sizes = bundleSizes();
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const first = sizes.filter((s) => /^index-/.test(s.file));
  const lazy = sizes.filter((s) => !/^index-/.test(s.file));
  console.log(`first page (entry JS + CSS): ${kib(first.reduce((n, s) => n + s.gzipBytes, 0))} gzipped`);
  console.log(`lazy chunks, gzipped: ${lazy.map((s) => `${s.file.replace(/-[\w-]{8}\./, '.')} ${kib(s.gzipBytes)}`).join(', ')}`);

  const { alice, bob } = await twoPersonCall(async () => (await newParticipant(browser)).page, baseUrl);
  const [aliceId] = await peerIds(bob);
  await waitUntil(async () => (await bob.evaluate((id) => window.confabDebug!.framesDecoded(id), aliceId!)) > 10, 20_000, 'video');
  await alice.getByRole('button', { name: 'More' }).click();
  await alice.getByRole('button', { name: 'Blur background' }).click();
  await alice.keyboard.press('Escape');
  await waitUntil(async () => ((await alice.evaluate(() => window.confabDebug!.backgroundStats()))?.segmentations ?? 0) > 2, 60_000, 'segmentation');
  // Means over the effect's first ~10 s (the first segmentation, with the model's warm-up, included).
  await alice.waitForTimeout(10_000);
  const stats = (await alice.evaluate(() => window.confabDebug!.backgroundStats()))!;
  const frameMs = 1000 / 24;
  console.log(
    `background blur at 640×480 (fake camera, software WebGL): segmentation ${stats.segmentMs.toFixed(1)} ms per mask (${stats.masksPerSecond.toFixed(1)}/s), ` +
      `compositing ${stats.composeMs.toFixed(1)} ms per frame, ${stats.fps.toFixed(1)} frames/s out; ` +
      `latency added ≈ compositing + half a frame interval = ${(stats.composeMs + frameMs / 2).toFixed(0)} ms (the mask lags by one segmentation)`,
  );
  const cost = await alice.evaluate(() => window.confabDebug!.noiseSuppressionCost(10));
  const share = (cost.withMs - cost.withoutMs) / (cost.seconds * 1000);
  console.log(
    `noise suppression (RNNoise AudioWorklet, 48 kHz mono): ${cost.seconds} s of audio rendered in ${cost.withMs.toFixed(0)} ms with it, ` +
      `${cost.withoutMs.toFixed(0)} ms without: ${(share * 100).toFixed(2)} % of one core in a call`,
  );
  await alice.context().close();
  await bob.context().close();
}
