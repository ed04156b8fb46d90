import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devices, type Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { repoRoot } from '../support/relay-process';
import { createRoom, joinRoom, peerIds, sendChat } from '../support/room-actions';
import { boxesOverlap, IPHONE_WITHOUT_DESKTOP_APIS, swipe } from '../support/phone';

const shot = (name: string) => join(repoRoot, 'docs', 'screenshots', `${name}.png`);

/**
 * A phone in the call: Chromium's iPhone 13 emulation (390×664, touch, mobile viewport). It
 * keeps Chromium's desktop APIs, so the page is stripped of what iOS Safari lacks
 * (getDisplayMedia; setSinkId before 18.4) and given a share sheet that records what it got.
 */
describe('a phone in a four-person room', () => {
  const h = useRelayAndBrowser();
  let alice: Page;
  let phone: Page;
  let link = '';

  it('joins by the link from the join screen', async () => {
    alice = (await newParticipant(h.browser)).page;
    link = await createRoom(alice, h.relay.url);
    // Bob and Carol only fill the pages: cameras off keeps a four-person mesh light on two
    // cores, and their pages load before any call runs (a page load during one took >30 s here).
    const fillers: [string, Page][] = [];
    for (const name of ['Bob', 'Carol']) {
      const page = (await newParticipant(h.browser)).page;
      await page.goto(link);
      await page.getByRole('button', { name: 'Camera' }).click();
      fillers.push([name, page]);
    }
    // At the iPhone's 3× pixel density, software rendering of the video starved the other pages.
    const context = await h.browser.newContext({ ...devices['iPhone 13'], deviceScaleFactor: 1 });
    await context.addInitScript(IPHONE_WITHOUT_DESKTOP_APIS);
    phone = await context.newPage();
    phone.on('pageerror', (err) => console.error(`[phone page error] ${err.message}`));
    await phone.goto(link);
    await phone.getByLabel('Your name').fill('Pat');
    await phone.getByRole('button', { name: 'Join', exact: true }).waitFor();
    await phone.waitForTimeout(1_000); // the camera preview starts
    await phone.screenshot({ path: shot('phone-join') });
    await joinRoom(alice, 'Alice');
    await joinRoom(phone, 'Pat');
    for (const [name, page] of fillers) await joinRoom(page, name);
    await expect.poll(() => peerIds(phone).then((ids) => ids.length), { timeout: 60_000 }).toBe(3);
  }, 240_000);

  it('shows one row of Microphone, Camera, Chat, More, Leave, each at least 44 px, and no Share screen', async () => {
    const toolbar = phone.getByRole('navigation', { name: 'Call controls' });
    const names = await toolbar.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
    expect(names).toEqual(['Microphone', 'Camera', 'Chat', 'More', 'Leave']);
    const boxes = await toolbar.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().toJSON() as DOMRect));
    for (const box of boxes) {
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.top, 'all in one row').toBe(boxes[0]!.top);
    }
    expect(await phone.getByRole('button', { name: 'Share screen' }).count()).toBe(0);
    await phone.getByRole('figure', { name: 'Carol' }).or(phone.getByRole('figure', { name: 'Bob' })).first().waitFor();
    await phone.waitForTimeout(1_500); // video paints
    await phone.screenshot({ path: shot('phone-room') });
  });

  it('the self-view covers no tile’s name, upright or turned sideways', async () => {
    const uncovered = async () => {
      const self = (await phone.locator('.self-view').boundingBox())!;
      const labels = phone.locator('figure.tile:not(.tile-self) figcaption').filter({ visible: true });
      expect(await labels.count()).toBeGreaterThan(0);
      for (const label of await labels.all()) expect(boxesOverlap(self, (await label.boundingBox())!)).toBe(false);
    };
    await uncovered();
    await phone.setViewportSize(devices['iPhone 13 landscape']!.viewport);
    await phone.waitForTimeout(1_000);
    await uncovered();
    const toolbar = phone.getByRole('navigation', { name: 'Call controls' });
    expect(await toolbar.getByRole('button').count()).toBe(5);
    await phone.screenshot({ path: shot('phone-landscape') });
    await phone.setViewportSize(devices['iPhone 13']!.viewport);
    await phone.waitForTimeout(500);
  });

  it('More holds the rest: hand, reactions, Your room, devices (no speaker choice without setSinkId)', async () => {
    await phone.getByRole('button', { name: 'More' }).tap();
    const menu = phone.getByRole('group', { name: 'More' });
    await menu.waitFor();
    expect(await menu.getByRole('button', { name: 'Share screen' }).count()).toBe(0);
    for (const box of await menu.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.width).toBeGreaterThanOrEqual(44);
    }
    await phone.screenshot({ path: shot('phone-more') });
    await menu.getByRole('button', { name: 'Raise hand' }).tap();
    await alice.getByRole('figure', { name: 'Pat' }).getByRole('img', { name: 'Hand raised' }).waitFor({ timeout: 10_000 });
    await phone.getByRole('button', { name: 'More' }).tap();
    await menu.getByRole('button', { name: 'Party' }).tap();
    await alice.getByRole('figure', { name: 'Pat' }).getByRole('img', { name: 'Reaction: Party' }).waitFor({ timeout: 10_000 });
    await phone.getByRole('button', { name: 'More' }).tap();
    await menu.getByRole('button', { name: 'Devices' }).tap();
    const panel = phone.getByRole('dialog', { name: 'Devices' });
    await panel.getByLabel('Camera').waitFor();
    expect(await panel.getByLabel('Speaker').count()).toBe(0);
    await phone.screenshot({ path: shot('phone-devices') });
    await panel.getByRole('button', { name: 'Done' }).tap();
  });

  it('chat fills the screen, and Back returns to the call', async () => {
    await sendChat(alice, 'Hello from the laptop');
    await phone.getByRole('button', { name: 'Chat', exact: true }).tap();
    const chat = phone.getByRole('complementary', { name: 'Chat' });
    await chat.getByText('Hello from the laptop').waitFor();
    const viewport = phone.viewportSize()!;
    expect(await chat.boundingBox()).toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
    await phone.getByLabel('Message').fill('And hello from the phone');
    await phone.getByRole('button', { name: 'Send' }).tap();
    await alice.getByText('And hello from the phone').waitFor();
    await phone.screenshot({ path: shot('phone-chat') });
    await phone.getByRole('button', { name: 'Back' }).tap();
    await chat.waitFor({ state: 'detached' });
    await phone.getByRole('navigation', { name: 'Call controls' }).waitFor();
  });

  it('Your room fills the screen, with Share link beside Copy invite link', async () => {
    await phone.getByRole('button', { name: 'More' }).tap();
    await phone.getByRole('group', { name: 'More' }).getByRole('button', { name: 'Your room' }).tap();
    const panel = phone.getByRole('complementary', { name: 'Your room' });
    await panel.getByRole('button', { name: 'Copy invite link' }).waitFor();
    await panel.getByRole('button', { name: 'Share link' }).tap();
    await expect.poll(() => phone.evaluate(() => (window as unknown as { sharedLinks: ShareData[] }).sharedLinks)).toEqual([{ title: 'Join my Confab room', url: link }]);
    await phone.screenshot({ path: shot('phone-your-room') });
    await panel.getByRole('button', { name: 'Back' }).tap();
    await panel.waitFor({ state: 'detached' });
  });

  it('pages of people turn by a sideways swipe', async () => {
    await phone.getByText('Page 1 of 2').waitFor({ timeout: 10_000 });
    const visibleNames = () => phone.locator('figure.tile:not(.tile-self)').filter({ visible: true }).evaluateAll((fs) => fs.map((f) => f.getAttribute('aria-label')));
    const firstPage = await visibleNames();
    const grid = (await phone.locator('.grid').boundingBox())!;
    const y = grid.y + grid.height / 2;
    await swipe(phone, grid.x + grid.width * 0.85, grid.x + grid.width * 0.15, y);
    await phone.getByText('Page 2 of 2').waitFor({ timeout: 5_000 });
    const secondPage = await visibleNames();
    expect(secondPage.some((n) => firstPage.includes(n)), 'another page of people').toBe(false);
    await phone.waitForTimeout(1_000);
    await phone.screenshot({ path: shot('phone-page-2') });
    // A mostly vertical drag is no page turn; a swipe the other way goes back.
    await swipe(phone, grid.x + grid.width * 0.5, grid.x + grid.width * 0.45, y - 150, y + 100);
    await phone.waitForTimeout(300);
    await phone.getByText('Page 2 of 2').waitFor();
    await swipe(phone, grid.x + grid.width * 0.15, grid.x + grid.width * 0.85, y);
    await phone.getByText('Page 1 of 2').waitFor({ timeout: 5_000 });
  });

  it('on a laptop (1280×800) the toolbar keeps every button where it was', async () => {
    const toolbar = alice.getByRole('navigation', { name: 'Call controls' });
    for (const name of ['Microphone', 'Camera', 'Devices', 'Share screen', 'Raise hand', 'Reactions', 'Your room', 'Chat', 'Leave']) {
      await toolbar.getByRole('button', { name, exact: true }).waitFor();
    }
    await alice.waitForTimeout(1_000);
    await alice.screenshot({ path: shot('desktop-room') });
  });
});
