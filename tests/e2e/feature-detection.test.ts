import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom } from '../support/room-actions';

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
