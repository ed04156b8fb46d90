import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { audioPeak, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

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
