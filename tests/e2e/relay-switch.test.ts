import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());

async function expectEveryTileFlowing(pages: Record<string, Page>): Promise<void> {
  for (const page of Object.values(pages)) for (const id of await peerIds(page)) await expectVideoFlowing(page, id);
}

async function expectChatReaches(from: Page, to: Page[], text: string): Promise<void> {
  await sendChat(from, text);
  for (const page of to) {
    await openChat(page);
    await expect.poll(() => page.getByRole('listitem').filter({ hasText: text }).isVisible(), { timeout: 10_000 }).toBe(true);
  }
}

/**
 * Mesh up to --mesh-max people, the relay node above it: with the threshold at 2, a third
 * person moves the room to the relay and their leaving moves it back, without a reload, with
 * video and chat continuing.
 */
describe('mesh ⇄ relay switch in real Chromium', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  const pages: Record<string, Page> = {};
  let link = '';

  it('two people stay a mesh', async () => {
    pages.alice = (await newParticipant(h.browser)).page;
    pages.bob = (await newParticipant(h.browser)).page;
    link = await createRoom(pages.alice, h.relay.url);
    await joinRoom(pages.alice, 'Alice');
    await joinRoom(pages.bob, 'Bob', link);
    for (const page of Object.values(pages)) await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 20_000 }).toBe(1);
    await expectEveryTileFlowing(pages);
    for (const page of Object.values(pages)) expect(await topology(page)).toBe('mesh');
  });

  it('a third person moves everyone to the relay; video and chat go on', async () => {
    pages.carol = (await newParticipant(h.browser)).page;
    const joinedAt = Date.now();
    await joinRoom(pages.carol, 'Carol', link);
    const inRoomAt = Date.now();
    for (const page of Object.values(pages)) await expect.poll(() => topology(page), { timeout: 20_000 }).toBe('relay');
    console.log(`[measure] join click→in room ${inRoomAt - joinedAt} ms, →everyone relay ${Date.now() - joinedAt} ms`);
    for (const page of Object.values(pages)) await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 20_000 }).toBe(2);
    await expectEveryTileFlowing(pages);
    console.log(`[measure] mesh→relay: Carol's Join → every tile decoding through the relay in ${Date.now() - joinedAt} ms`);
    const metrics = await (await fetch(new URL('/metrics', h.relay.url))).text();
    expect(Number(/^confab_relay_participants (\d+)/m.exec(metrics)?.[1])).toBe(3);
    expect(Number(/^confab_relay_packets_out_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    await expectChatReaches(pages.alice!, [pages.bob!, pages.carol!], 'Through the relay now');
  });

  it('when the third leaves, the two go back to a mesh; video and chat go on', async () => {
    const leftAt = Date.now();
    await pages.carol!.getByRole('button', { name: 'Leave' }).click();
    delete pages.carol;
    for (const page of Object.values(pages)) await expect.poll(() => topology(page), { timeout: 20_000 }).toBe('mesh');
    for (const page of Object.values(pages)) await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 20_000 }).toBe(1);
    // Frames counted from now on come over the mesh link (the relay link is closed).
    await expectEveryTileFlowing(pages);
    console.log(`[measure] relay→mesh: Carol's Leave → both tiles decoding over the mesh in ${Date.now() - leftAt} ms`);
    await waitUntil(async () => {
      const metrics = await (await fetch(new URL('/metrics', h.relay.url))).text();
      return /^confab_relay_participants 0$/m.test(metrics);
    }, 10_000, 'everyone gone from the relay node');
    await expectChatReaches(pages.bob!, [pages.alice!], 'Back on the mesh');
  });
});
