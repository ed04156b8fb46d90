import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newParticipant } from '../support/browser';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { createRoom, joinRoom, openChat, peerIds, sendChat, waitUntil } from '../support/room-actions';

/** A reload (or a crash and restore) mid-call puts the person straight back, chat intact. */
describe('reloading mid-call', () => {
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

  it('what someone wrote while alone survives a reload', async () => {
    const { page, context } = await newParticipant(browser);
    await createRoom(page, relay.url);
    await joinRoom(page, 'Solo');
    await sendChat(page, 'note written while alone');
    await page.reload();
    await page.getByRole('navigation', { name: 'Call controls' }).waitFor({ timeout: 15_000 });
    await openChat(page);
    await page.getByText('note written while alone').waitFor({ timeout: 5_000 });
    await context.close();
  });

  it('a reloaded participant rejoins without the join screen and sees the full chat', async () => {
    const alice = (await newParticipant(browser)).page;
    const bob = (await newParticipant(browser)).page;
    const link = await createRoom(alice, relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 20_000, 'alice and bob connected');
    await sendChat(alice, 'before the reload');
    await openChat(bob);
    await bob.getByText('before the reload').waitFor();
    const oldBobId = await bob.evaluate(() => window.confabDebug!.selfId);

    await bob.reload();
    await bob.getByRole('navigation', { name: 'Call controls' }).waitFor({ timeout: 15_000 });
    await waitUntil(async () => (await peerIds(bob)).length === 1, 20_000, 'bob reconnected');
    await waitUntil(async () => {
      const ids = await peerIds(alice);
      return ids.length === 1 && ids[0] !== oldBobId;
    }, 10_000, 'alice sees the new bob, and not the old one');
    await openChat(bob);
    await bob.getByText('before the reload').waitFor({ timeout: 5_000 });
    await sendChat(alice, 'after the reload');
    await bob.getByText('after the reload').waitFor({ timeout: 5_000 });
    expect(await alice.getByRole('figure', { name: 'Bob' }).count()).toBe(1);
  });
});
