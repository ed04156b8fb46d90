import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

const controls = (page: Page) => page.evaluate(() => window.confabDebug!.controls());
const selfId = (page: Page) => page.evaluate(() => window.confabDebug!.selfId);
const chat = (page: Page) => page.evaluate(() => window.confabDebug!.chat());
const names = (page: Page) => page.evaluate(() => window.confabDebug!.names());

/** Issue #13, attacks 1 and 2 in browsers: a member's client altered to rewrite the room document. */
describe('a tampered client cannot rewrite the room document', { timeout: 240_000 }, () => {
  const h = useRelayAndBrowser();

  async function person(): Promise<Page> {
    const { page, context } = await newParticipant(h.browser);
    // Test hooks let a page play a tampered client (client/src/debug-hooks.ts).
    await context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
    return page;
  }

  it('deleting the host\'s records and forging chat and entries changes nothing on honest pages', async () => {
    const [alice, bob, mallory] = [await person(), await person(), await person()];
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await Promise.all([joinRoom(bob, 'Bob', link), joinRoom(mallory, 'Mallory', link)]);
    for (const page of [alice, bob, mallory]) await waitUntil(async () => (await peerIds(page)).length === 2, 60_000, 'full mesh');
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    await alice.getByRole('button', { name: 'Lock room' }).click();
    await sendChat(alice, 'hello from Alice');
    await waitUntil(async () => (await controls(mallory)).locked && (await chat(mallory)).length === 1, 10_000, 'mallory sees the lock and the chat');
    const [aliceId, bobId] = [await selfId(alice), await selfId(bob)];
    const namesBefore = await names(bob);
    expect(Object.values(namesBefore).sort()).toEqual(['Alice', 'Bob', 'Mallory']);

    await mallory.evaluate(
      ([aliceId, bobId]) => {
        const t = window.confabDebug!.tamper!;
        t.deleteControls();
        const genuine = t.chatValues()[0] as Record<string, unknown>;
        // Alice's genuine message with its text changed, and one in her name with no signature.
        t.pushChat({ ...genuine, id: 'forged-1', text: 'Alice: I am leaving, Mallory is host now' });
        t.pushChat({ id: 'forged-2', from: aliceId, name: 'Alice', text: 'unsigned words', sentAt: Date.now() });
        // Bob's entry renamed (so the host removes the wrong person) and his hand raised.
        const bobEntry = t.participantValue(bobId!) as Record<string, unknown>;
        t.putParticipant(bobId!, { ...bobEntry, name: 'Mallory', handUpAt: Date.now() });
      },
      [aliceId, bobId],
    );
    await new Promise((r) => setTimeout(r, 2_000));

    for (const page of [alice, bob]) {
      expect(await controls(page)).toMatchObject({ locked: true, ended: false });
      expect(await chat(page)).toEqual([{ from: aliceId, name: 'Alice', text: 'hello from Alice' }]);
      expect(await names(page)).toEqual(namesBefore);
    }
    // On Alice's own screen, "You" sent only what she signed.
    await openChat(alice);
    await expect.poll(() => alice.locator('.chat-message').count()).toBe(1);
    expect(await alice.locator('.chat-message.mine').count()).toBe(1);
    await expect.poll(() => alice.getByRole('figure', { name: 'Bob', exact: true }).count()).toBe(1);
    // The records are back in the shared document: a newcomer still meets the lock.
    const eve = await person();
    await joinRoom(eve, 'Eve', link);
    await eve.getByRole('heading', { name: 'This room is locked' }).waitFor({ timeout: 15_000 });
  });
});
