import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium, newParticipant } from '../support/browser';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { audioPeak, expectVideoFlowing, twoPersonCall, waitUntil } from '../support/room-actions';

/**
 * Three fake cameras (Chromium also has three fake microphones and speakers). fake_device_1
 * sends depth frames (Y16) that no video encoder takes, so the test switches to fake_device_2.
 */
const THREE_CAMERAS = CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=device-count=3` : a));

const sending = (page: Page, peerId: string) => page.evaluate((id) => window.confabDebug!.sending(id), peerId);
const selfId = (page: Page) => page.evaluate(() => window.confabDebug!.selfId);
const devicePanel = (page: Page) => page.getByRole('dialog', { name: 'Devices' });

async function choose(page: Page, field: 'Camera' | 'Microphone' | 'Speaker', optionLabel: string): Promise<void> {
  if ((await devicePanel(page).count()) === 0) await page.getByRole('button', { name: 'Devices' }).click();
  await devicePanel(page).getByLabel(field).selectOption({ label: optionLabel });
}

describe('choosing camera, microphone and speaker during a call', () => {
  let relay: RelayProcess;
  let browser: Browser;
  beforeAll(async () => {
    relay = await startRelay();
    browser = await launchChromium(THREE_CAMERAS);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  it('switching camera, microphone and speaker keeps the call: the same connection carries the new devices', async () => {
    const participants = [await newParticipant(browser), await newParticipant(browser)];
    const aliceContext = participants[0]!.context;
    const { alice, bob, link } = await twoPersonCall(async () => participants.shift()!.page, relay.url);
    const [aliceId, bobId] = [await selfId(alice), await selfId(bob)];
    const before = await sending(alice, bobId);
    expect(before.labels).toContain('fake_device_0');

    await choose(alice, 'Camera', 'fake_device_2');
    await expect.poll(async () => (await sending(alice, bobId)).labels, { timeout: 10_000 }).toContain('fake_device_2');
    await expectVideoFlowing(bob, aliceId);
    expect((await sending(alice, bobId)).connection, 'no new connection was made').toBe(before.connection);
    expect(await alice.getByRole('figure', { name: 'You (Alice)' }).locator('video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]?.label)).toBe(
      'fake_device_2',
    );

    await choose(alice, 'Microphone', 'Fake Audio Input 1');
    await expect.poll(async () => (await sending(alice, bobId)).labels, { timeout: 10_000 }).toContain('Fake Audio Input 1');
    await waitUntil(async () => (await audioPeak(bob, aliceId)) > 0.01, 20_000, 'Bob hears Alice on her new microphone');

    await choose(bob, 'Speaker', 'Fake Audio Output 1');
    const outputs = await bob.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput'));
    const chosen = outputs.find((d) => d.label === 'Fake Audio Output 1')!.deviceId;
    await expect.poll(() => bob.getByRole('figure', { name: 'Alice' }).locator('video').evaluate((v: HTMLVideoElement) => v.sinkId)).toBe(chosen);

    // The choice is remembered: Alice's next join screen (same browser profile) starts on it.
    const again = await aliceContext.newPage();
    await again.goto(link);
    await again.getByRole('button', { name: 'Devices' }).click();
    await expect.poll(() => devicePanel(again).getByLabel('Camera').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe('fake_device_2');
    await again.close();
  });
});
