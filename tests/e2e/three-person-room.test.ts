import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import {
  audioPeak,
  createRoom,
  expectVideoFlowing,
  joinRoom,
  openChat,
  peerIds,
  sendChat,
  waitUntil,
} from '../support/room-actions';

/** A room as people use it: one creates it, two more join by link, a fourth comes late. */
describe('a three-to-four person room in real Chromium', () => {
  const h = useRelayAndBrowser();
  const pages: Record<string, Page> = {};
  let link = '';

  it('creator sees the invite link and a clear waiting state', async () => {
    pages.alice = (await newParticipant(h.browser)).page;
    link = await createRoom(pages.alice, h.relay.url);
    await joinRoom(pages.alice, 'Alice');
    await expect.poll(() => pages.alice!.getByText('Waiting for others — share the link').isVisible()).toBe(true);
    expect(await pages.alice.getByLabel('Invite link').inputValue()).toBe(link);
  });

  it('two more join by link and everyone sees and hears everyone', async () => {
    pages.bob = (await newParticipant(h.browser)).page;
    pages.carol = (await newParticipant(h.browser)).page;
    await Promise.all([joinRoom(pages.bob, 'Bob', link), joinRoom(pages.carol, 'Carol', link)]);
    for (const page of Object.values(pages)) {
      await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 20_000 }).toBe(2);
    }
    for (const page of Object.values(pages)) {
      for (const peerId of await peerIds(page)) await expectVideoFlowing(page, peerId);
    }
    // The fake microphone beeps about once a second: listen to every stream at once, in 3 s
    // windows, until each has been heard (a stream that started late gets up to 20 s).
    const pairs = (await Promise.all(Object.entries(pages).map(async ([name, page]) => (await peerIds(page)).map((id) => ({ name, page, id }))))).flat();
    await Promise.all(
      pairs.map(({ name, page, id }) => waitUntil(async () => (await audioPeak(page, id, 3_000)) > 0.01, 20_000, `${name} hears ${id}`)),
    );
    // Tiles carry the others' names.
    await expect.poll(() => pages.alice!.getByRole('figure', { name: 'Bob' }).isVisible()).toBe(true);
    await expect.poll(() => pages.alice!.getByRole('figure', { name: 'Carol' }).isVisible()).toBe(true);
    await expect.poll(() => pages.bob!.getByRole('figure', { name: 'Alice' }).isVisible()).toBe(true);
    // Tiles share the stage at 4:3, never collapsed to nothing.
    const box = await pages.alice!.getByRole('figure', { name: 'Bob' }).boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.width / box!.height).toBeCloseTo(4 / 3, 1);
  });

  it('mic off shows the muted indicator on the others’ tiles', async () => {
    await pages.bob!.getByRole('button', { name: 'Microphone' }).click();
    const bobTile = pages.alice!.getByRole('figure', { name: 'Bob' });
    await expect.poll(() => bobTile.getByRole('img', { name: 'Microphone off' }).isVisible()).toBe(true);
    await pages.bob!.getByRole('button', { name: 'Microphone' }).click();
    await expect.poll(() => bobTile.getByRole('img', { name: 'Microphone off' }).count()).toBe(0);
  });

  it('"Your room" lists who is in, with their mic state, and the invite link', async () => {
    const alice = pages.alice!;
    await pages.carol!.getByRole('button', { name: 'Microphone' }).click();
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    const list = alice.getByRole('list', { name: 'Participants' });
    // You first; Bob and Carol joined at the same moment, so in either order.
    await expect.poll(() => list.getByRole('listitem').allTextContents()).toHaveLength(3);
    const rows = await list.getByRole('listitem').allTextContents();
    // Alice created the room, so she is its host and has controls on the others' rows.
    expect(rows[0]).toBe('AAlice (you)Host');
    expect(rows.slice(1).sort()).toEqual(['BBobMake co-hostRemove', 'CCarolMake co-hostRemove']);
    const carol = list.getByRole('listitem').filter({ hasText: 'Carol' });
    await expect.poll(() => carol.getByRole('img').getAttribute('aria-label')).toBe('Mic off, camera on');
    expect(await alice.getByLabel('Invite link').inputValue()).toBe(link);
    await alice.getByRole('button', { name: 'Copy invite link' }).click();
    await alice.getByText('Link copied').waitFor();
    await pages.carol!.getByRole('button', { name: 'Microphone' }).click();
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
  });

  it('chat reaches everyone with sender name and time', async () => {
    // Bob's panel is closed: the message waits as unread. Alice's own never counts as unread.
    await sendChat(pages.alice!, 'Hello from Alice');
    await pages.bob!.getByLabel('1 unread').waitFor({ timeout: 10_000 });
    await pages.alice!.getByRole('button', { name: 'Chat', exact: true }).click(); // closes her panel
    await pages.alice!.waitForTimeout(300);
    expect(await pages.alice!.getByLabel(/unread/).count(), 'her own message is not unread').toBe(0);
    for (const name of ['bob', 'carol']) {
      const page = pages[name]!;
      await openChat(page);
      const message = page.getByRole('listitem').filter({ hasText: 'Hello from Alice' });
      await expect.poll(() => message.isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await message.textContent()).toMatch(/Alice\s*\d{1,2}:\d{2}/);
    }
  });

  it('a late joiner sees the chat history and joins the mesh', async () => {
    pages.dave = (await newParticipant(h.browser)).page;
    await joinRoom(pages.dave, 'Dave', link);
    await openChat(pages.dave);
    await expect
      .poll(() => pages.dave!.getByRole('listitem').filter({ hasText: 'Hello from Alice' }).isVisible(), { timeout: 15_000 })
      .toBe(true);
    await expect.poll(() => peerIds(pages.dave!).then((ids) => ids.length), { timeout: 20_000 }).toBe(3);
  });

  it('leaving removes the tile for the others within 5 s', async () => {
    const carolId = await pages.carol!.evaluate(() => window.confabDebug!.selfId);
    await pages.carol!.getByRole('button', { name: 'Leave' }).click();
    await pages.carol!.getByText('You left the room').waitFor();
    for (const name of ['alice', 'bob', 'dave']) {
      await expect.poll(() => peerIds(pages[name]!), { timeout: 5_000 }).not.toContain(carolId);
    }
    await expect.poll(() => pages.alice!.getByRole('figure', { name: 'Carol' }).count()).toBe(0);
  });

  it('closing the tab removes the tile for the others within 5 s', async () => {
    const daveId = await pages.dave!.evaluate(() => window.confabDebug!.selfId);
    await pages.dave!.close({ runBeforeUnload: true });
    for (const name of ['alice', 'bob']) {
      await expect.poll(() => peerIds(pages[name]!), { timeout: 5_000 }).not.toContain(daveId);
    }
  });
});
