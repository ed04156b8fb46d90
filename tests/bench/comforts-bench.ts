import { readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { peerIds, twoPersonCall, waitUntil } from '../support/room-actions';
import { bundleSizes } from './client-bench';

/**
 * Issue 14's figures: the first page's bundle against the lazy chunks of the comforts; the
 * background pipeline's milliseconds per frame at 640×480 (segmentation and compositing, in
 * the sender's page, fake camera); RNNoise's CPU as a share of one core (from /proc).
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
  console.log(
    `background blur at 640×480 (fake camera, software WebGL): segmentation ${stats.segmentMs.toFixed(1)} ms per mask (${stats.masksPerSecond.toFixed(1)}/s), ` +
      `compositing ${stats.composeMs.toFixed(1)} ms per frame, ${stats.fps.toFixed(1)} frames/s out; ` +
      `latency added (camera frame arrival → composite on the canvas) ${stats.addedLatencyMs.toFixed(1)} ms; the mask lags by one segmentation`,
  );
  await alice.context().close();
  await bob.context().close();
  await noiseCpu(browser, baseUrl);
}

/** CPU seconds used so far by every process below this one (the browser, its renderers, its audio service). */
function childrenCpuMs(): number {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
      cpu.set(Number(name), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      /* gone */
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, ms] of cpu) if (mine(pid)) total += ms;
  return total;
}

/**
 * RNNoise's CPU in a real page: one join screen (microphone live, camera off) kept 20 s with
 * suppression on, then 20 s with it off; the browser's processes' CPU time is read from /proc.
 * Everything else on the page is the same, so the difference is the suppressor.
 */
async function noiseCpu(browser: Browser, baseUrl: string): Promise<void> {
  const { context, page } = await newParticipant(browser, { noiseSuppression: 'default' });
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('button', { name: 'Camera' }).click();
  const windowMs = 20_000;
  const measure = async (on: boolean) => {
    await page.evaluate((v) => localStorage.setItem('confab.noiseSuppression', v), on ? 'on' : 'off');
    await page.reload();
    await page.getByRole('button', { name: 'Camera' }).waitFor();
    await page.locator('.preview-starting').waitFor({ state: 'detached' });
    if ((await page.getByRole('button', { name: 'Camera' }).getAttribute('aria-pressed')) === 'true') await page.getByRole('button', { name: 'Camera' }).click();
    await page.waitForTimeout(3_000);
    const sending = await page.evaluate(() => document.querySelector<HTMLVideoElement>('.preview video')?.srcObject instanceof MediaStream ? (document.querySelector<HTMLVideoElement>('.preview video')!.srcObject as MediaStream).getAudioTracks()[0]?.label ?? '' : '');
    const before = childrenCpuMs();
    await page.waitForTimeout(windowMs);
    const camera = await page.getByRole('button', { name: 'Camera' }).getAttribute('aria-pressed');
    if (camera !== 'false') throw new Error('the camera stayed on: the comparison would be unfair');
    return { cpuMs: childrenCpuMs() - before, track: sending };
  };
  const on = await measure(true);
  const off = await measure(false);
  const on2 = await measure(true);
  const perSecond = (ms: number) => ms / (windowMs / 1000);
  const extra = (perSecond(on.cpuMs) + perSecond(on2.cpuMs)) / 2 - perSecond(off.cpuMs);
  console.log(
    `noise suppression CPU (a join screen with the microphone live, browser processes from /proc): on ${perSecond(on.cpuMs).toFixed(0)} and ${perSecond(on2.cpuMs).toFixed(0)} ms/s ` +
      `(track "${on.track}"), off ${perSecond(off.cpuMs).toFixed(0)} ms/s (track "${off.track}"): suppression ≈ ${(extra / 10).toFixed(1)} % of one core`,
  );
  await context.close();
}
