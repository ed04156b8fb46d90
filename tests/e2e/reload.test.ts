import { describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, twoPersonCall, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** A reload (or a crash and restore) mid-call puts the person straight back, chat intact. */
describe('reloading mid-call', () => {
  const h = useRelayAndBrowser();

  it('what someone wrote while alone survives a reload', async () => {
    const { page, context } = await newParticipant(h.browser);
    await createRoom(page, h.relay.url);
    await joinRoom(page, 'Solo');
    await sendChat(page, 'note written while alone');
    await page.reload();
    await page.getByRole('navigation', { name: 'Call controls' }).waitFor({ timeout: 15_000 });
    await openChat(page);
    await page.getByText('note written while alone').waitFor({ timeout: 5_000 });
    await context.close();
  });

  it('a reloaded participant rejoins without the join screen and sees the full chat', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    await sendChat(alice, 'before the reload');
    await openChat(bob);
    await bob.getByText('before the reload').waitFor();
    const bobId = await bob.evaluate(() => window.confabDebug!.selfId);

    await bob.reload();
    await bob.getByRole('navigation', { name: 'Call controls' }).waitFor({ timeout: 15_000 });
    await waitUntil(async () => (await peerIds(bob)).length === 1, 20_000, 'bob reconnected');
    // Same tab, same participant key, so the same peer id; the connection itself is new.
    expect(await bob.evaluate(() => window.confabDebug!.selfId)).toBe(bobId);
    await waitUntil(async () => (await peerIds(alice)).join() === bobId, 10_000, 'alice sees bob again, once');
    await expectVideoFlowing(alice, bobId);
    await openChat(bob);
    await bob.getByText('before the reload').waitFor({ timeout: 5_000 });
    await sendChat(alice, 'after the reload');
    await bob.getByText('after the reload').waitFor({ timeout: 5_000 });
    expect(await alice.getByRole('figure', { name: 'Bob' }).count()).toBe(1);
  });
});
