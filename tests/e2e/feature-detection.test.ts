import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, framesDecoded, joinRoom, peerIds, waitUntil } from '../support/room-actions';

/**
 * Safari and phones by feature detection: the same Chromium page with and without the APIs
 * those browsers lack (getDisplayMedia on iOS and Android; setSinkId before Safari 18.4).
 */
describe('controls follow what the browser can do', () => {
  const h = useRelayAndBrowser();

  async function roomPage(initScript?: string): Promise<Page> {
    const { context, page } = await newParticipant(h.browser);
    if (initScript) await context.addInitScript(initScript);
    await createRoom(page, h.relay.url);
    await joinRoom(page, 'Alice');
    return page;
  }

  async function deviceFields(page: Page): Promise<string[]> {
    await page.getByRole('button', { name: 'Devices' }).click();
    const panel = page.getByRole('dialog', { name: 'Devices' });
    await panel.getByLabel('Camera').waitFor();
    return panel.locator('.device-field > span').allTextContents();
  }

  it('with getDisplayMedia and setSinkId (desktop Chromium): Share screen and a Speaker choice', async () => {
    const page = await roomPage();
    await page.getByRole('button', { name: 'Share screen' }).waitFor();
    expect(await deviceFields(page)).toEqual(['Camera', 'Microphone', 'Speaker']);
    await page.context().close();
  });

  it('without them (a phone, older Safari): no Share screen, no Speaker choice, nothing broken', async () => {
    const page = await roomPage('delete MediaDevices.prototype.getDisplayMedia; delete HTMLMediaElement.prototype.setSinkId;');
    expect(await page.evaluate(() => 'getDisplayMedia' in navigator.mediaDevices || 'setSinkId' in HTMLMediaElement.prototype)).toBe(false);
    await page.getByRole('button', { name: 'Raise hand' }).waitFor();
    expect(await page.getByRole('button', { name: 'Share screen' }).count()).toBe(0);
    expect(await deviceFields(page)).toEqual(['Camera', 'Microphone']);
    await page.context().close();
  });
});

/**
 * Safari has RTCRtpScriptTransform but not Chromium's createEncodedStreams. Through the relay
 * (three layer transceivers, each with its own transform) with createEncodedStreams removed,
 * every frame is still sealed and opened: the one path the client takes is Safari's.
 */
describe('end-to-end encryption with RTCRtpScriptTransform alone (Safari’s shape), through the relay', () => {
  const h = useRelayAndBrowser(['--mesh-max', '1']);

  it('both pages decode each other and every frame goes through the transform', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const { context, page } = await newParticipant(h.browser);
      await context.addInitScript(() => {
        localStorage.setItem('confab.testHooks', '1');
        delete (RTCRtpSender.prototype as { createEncodedStreams?: unknown }).createEncodedStreams;
        delete (RTCRtpReceiver.prototype as { createEncodedStreams?: unknown }).createEncodedStreams;
      });
      pages.push(page);
    }
    const [alice, bob] = pages as [Page, Page];
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    expect(await bob.evaluate(() => 'createEncodedStreams' in RTCRtpSender.prototype)).toBe(false);
    for (const page of pages) {
      await waitUntil(async () => (await peerIds(page)).length === 1, 30_000, 'the other person');
      await waitUntil(() => page.evaluate(() => window.confabDebug!.topology() === 'relay'), 30_000, 'relay mode');
    }
    for (const page of pages) {
      const [other] = await peerIds(page);
      await waitUntil(async () => (await framesDecoded(page, other!)) > 20, 45_000, 'video decoded through the relay');
      const counts = await page.evaluate(() => window.confabDebug!.e2ee());
      expect(counts.sealed).toBeGreaterThan(50);
      expect(counts.opened).toBeGreaterThan(50);
    }
  });
});
