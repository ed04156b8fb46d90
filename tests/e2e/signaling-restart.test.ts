import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { startRelay } from '../support/relay-process';
import { twoPersonCall, expectVideoFlowing, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** Media and chat are peer to peer: losing the signaling relay must not end a call. */
describe('signaling relay restart mid-call', () => {
  const h = useRelayAndBrowser();

  it('the call goes on while it is down, and a newcomer joins once it is back', async () => {
    const { alice, bob, link } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    const port = Number(new URL(h.relay.url).port);

    await h.relay.stop();
    const banner = alice.getByText('Lost the connection to the room server');
    await banner.waitFor({ timeout: 10_000 });
    const [bobId] = await peerIds(alice);
    await expectVideoFlowing(alice, bobId!);
    await openChat(alice);
    await sendChat(bob, 'still talking without the server');
    await alice.getByText('still talking without the server').waitFor({ timeout: 5_000 });

    h.relay = await startRelay({ port });
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    const carol: Page = (await newParticipant(h.browser)).page;
    await joinRoom(carol, 'Carol', link);
    for (const page of [alice, bob, carol]) {
      await waitUntil(async () => (await peerIds(page)).length === 2, 20_000, 'three-way mesh after restart');
    }
    await openChat(carol);
    await carol.getByText('still talking without the server').waitFor({ timeout: 5_000 });
    expect(await carol.getByRole('figure', { name: 'Alice' }).count()).toBe(1);
    expect(await carol.getByRole('figure', { name: 'Bob' }).count()).toBe(1);
  });
});
