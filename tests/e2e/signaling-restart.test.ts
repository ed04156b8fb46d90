import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newParticipant } from '../support/browser';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { createRoom, expectVideoFlowing, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** Media and chat are peer to peer: losing the signaling relay must not end a call. */
describe('signaling relay restart mid-call', () => {
  let relay: RelayProcess;
  let browser: Browser;

  beforeAll(async () => {
    relay = await startRelay();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  it('the call goes on while it is down, and a newcomer joins once it is back', async () => {
    const alice = (await newParticipant(browser)).page;
    const bob = (await newParticipant(browser)).page;
    const link = await createRoom(alice, relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 20_000, 'alice and bob connected');
    const port = Number(new URL(relay.url).port);

    await relay.stop();
    const banner = alice.getByText('Lost the connection to the room server');
    await banner.waitFor({ timeout: 10_000 });
    const [bobId] = await peerIds(alice);
    await expectVideoFlowing(alice, bobId!);
    await openChat(alice);
    await sendChat(bob, 'still talking without the server');
    await alice.getByText('still talking without the server').waitFor({ timeout: 5_000 });

    relay = await startRelay({ port });
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    const carol: Page = (await newParticipant(browser)).page;
    await joinRoom(carol, 'Carol', link);
    for (const page of [alice, bob, carol]) {
      await waitUntil(async () => (await peerIds(page)).length === 2, 20_000, 'three-way mesh after restart');
    }
    await openChat(carol);
    await carol.getByText('still talking without the server').waitFor({ timeout: 5_000 });
  });
});
