import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { audioPeak, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

/** The loudest of a few 1.5 s windows (the fake microphone beeps about once a second). */
async function loudest(page: Page, peerId: string): Promise<number> {
  let peak = 0;
  for (let i = 0; i < 3; i++) peak = Math.max(peak, await audioPeak(page, peerId, 1_500));
  return peak;
}

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

    const on1 = await loudest(bob, aliceId!);
    await setNoiseSuppression(alice, false);
    await bob.waitForTimeout(1_000);
    const off = await loudest(bob, aliceId!);
    await setNoiseSuppression(alice, true);
    await bob.waitForTimeout(1_500);
    const on2 = await loudest(bob, aliceId!);
    console.log(`[measure] beep peak at the receiver: suppression on ${on1.toFixed(4)}, off ${off.toFixed(4)}, on again ${on2.toFixed(4)}`);
    // Off: the beeps are there (not a silent line that would prove nothing).
    expect(off).toBeGreaterThan(0.05);
    // On: attenuated to well under half, both times.
    expect(on1).toBeLessThan(off * 0.5);
    expect(on2).toBeLessThan(off * 0.5);
  });
});
