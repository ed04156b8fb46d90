import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium, newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { audioPeak, createRoom, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

/** Energy and peak of what arrives over 4 s (the fake microphone beeps about once a second). */
async function level(page: Page, peerId: string): Promise<{ energy: number; peak: number }> {
  const [energy, peak] = await Promise.all([
    page.evaluate((id) => window.confabDebug!.audioEnergy(id, 4_000), peerId),
    audioPeak(page, peerId, 4_000),
  ]);
  return { energy, peak };
}
const fmt = (l: { energy: number; peak: number }) => `energy ${l.energy.toExponential(2)} peak ${l.peak.toFixed(3)}`;

async function setNoiseSuppression(page: Page, on: boolean): Promise<void> {
  await page.getByRole('button', { name: 'More' }).click();
  const toggle = page.getByRole('button', { name: 'Noise suppression' });
  if ((await toggle.getAttribute('aria-pressed')) !== String(on)) await toggle.click();
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe(String(on));
  await page.keyboard.press('Escape');
}

/**
 * RNNoise between Alice's microphone and the connection. Chromium's fake microphone beeps: a
 * pure tone, which RNNoise takes for noise (no voice in it). So the beeps must arrive at Bob
 * loud with suppression off, and gated or much quieter with it on.
 */
describe('noise suppression', () => {
  const h = useRelayAndBrowser();

  it('is on by default; the beeps arrive attenuated with it on, and the toggle off restores them', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser, { noiseSuppression: 'default' })).page, h.relay.url);
    const [aliceId] = await peerIds(bob);
    await alice.getByRole('button', { name: 'More' }).click();
    expect(await alice.getByRole('button', { name: 'Noise suppression' }).getAttribute('aria-pressed')).toBe('true');
    await alice.keyboard.press('Escape');
    // Audio flowing at all: wait for the first non-zero level either way.
    await waitUntil(async () => (await audioPeak(bob, aliceId!, 1_000)) >= 0, 20_000, 'audio from Alice');

    const bobId = (await peerIds(alice))[0]!;
    // The sent microphone track is the suppressor's output, not the device's.
    expect((await alice.evaluate((id) => window.confabDebug!.sending(id), bobId)).labels).toContain('MediaStreamAudioDestinationNode');
    const on1 = await level(bob, aliceId!);
    await setNoiseSuppression(alice, false);
    await bob.waitForTimeout(1_000);
    const off = await level(bob, aliceId!);
    await setNoiseSuppression(alice, true);
    await bob.waitForTimeout(1_500);
    const on2 = await level(bob, aliceId!);
    console.log(`[measure] beeps at the receiver: suppression on ${fmt(on1)}; off ${fmt(off)}; on again ${fmt(on2)}; energy on/off ${(on1.energy / off.energy).toFixed(3)}, ${(on2.energy / off.energy).toFixed(3)}`);
    // Off: the beeps are there (not a silent line that would prove nothing).
    expect(off.peak).toBeGreaterThan(0.05);
    expect(off.energy).toBeGreaterThan(1e-4);
    // On: their energy at most half (−3 dB or more), both times.
    expect(on1.energy).toBeLessThan(off.energy * 0.5);
    expect(on2.energy).toBeLessThan(off.energy * 0.5);
  });
});

describe('noise suppression under the browser’s autoplay policy', () => {
  const h = useRelayAndBrowser();

  // Chromium lets an AudioContext run on a page that captures the microphone, gesture or not
  // (measured here with its default policy); where a browser holds it, NoiseSuppression
  // refuses to start and the plain microphone goes out until the first click or key press.
  it('with the default autoplay policy and no click at all, the suppressor runs and its output carries sound', async () => {
    const strict = await launchChromium(CHROMIUM_ARGS.filter((a) => !a.startsWith('--autoplay-policy')));
    try {
      const host = (await newParticipant(h.browser)).page;
      const link = await createRoom(host, h.relay.url);
      const { page } = await newParticipant(strict, { noiseSuppression: 'default' });
      await page.goto(link);
      await page.locator('.preview-starting').waitFor({ state: 'detached', timeout: 15_000 });
      const previewAudio = () => page.evaluate(() => ((document.querySelector('.preview video') as HTMLVideoElement | null)?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.label ?? '');
      await expect.poll(previewAudio, { timeout: 10_000 }).toBe('MediaStreamAudioDestinationNode');
      const peak = await page.evaluate(async () => {
        const track = ((document.querySelector('.preview video') as HTMLVideoElement).srcObject as MediaStream).getAudioTracks()[0]!;
        const ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
        const samples = new Float32Array(analyser.fftSize);
        let max = 0;
        for (const until = performance.now() + 3_000; performance.now() < until; ) {
          analyser.getFloatTimeDomainData(samples);
          for (const v of samples) max = Math.max(max, Math.abs(v));
          await new Promise((r) => setTimeout(r, 20));
        }
        const state = ctx.state;
        await ctx.close();
        return { max, state };
      });
      console.log(`[measure] no gesture, default autoplay policy: suppressor output peak ${peak.max.toFixed(3)} (analyser context ${peak.state})`);
      expect(peak.max).toBeGreaterThan(0.01);
    } finally {
      await strict.close();
    }
  });
});
