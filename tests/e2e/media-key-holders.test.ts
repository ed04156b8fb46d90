import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom } from '../support/room-actions';

const sorted = (ids: string[]) => [...ids].sort();

/** What a page says about keys and people: who holds the current epoch, the participant list, the epoch it sends under. */
const keyView = (page: Page) =>
  page.evaluate(async () => {
    const d = window.confabDebug!;
    const e = await d.e2ee();
    return { holders: e.keyHolders, participants: d.participantIds(), epoch: e.epoch, sendEpoch: e.sendEpoch };
  });

/** On every page still in: the key holders are exactly the participant list, which is `expected`, and it sends under that epoch. */
async function holdersAre(pages: Page[], expected: string[]): Promise<void> {
  for (const page of pages) {
    await expect
      .poll(async () => {
        const v = await keyView(page);
        return { holders: sorted(v.holders), participants: sorted(v.participants), sending: v.sendEpoch === v.epoch };
      }, { timeout: 60_000 })
      .toEqual({ holders: sorted(expected), participants: sorted(expected), sending: true });
  }
}

/**
 * Membership-bound media keys in a real 4-person room (PROTOCOL.md, "Media keys"): at each
 * join, leave and removal, the set of key holders equals the participant list on every page,
 * and everyone sends under the new epoch.
 */
describe('who holds the media key is who is in the room', () => {
  const h = useRelayAndBrowser();

  it('at each join, leave and removal in a 4-person room, the key holders equal the participant list on every page', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 4; i++) pages.push((await newParticipant(h.browser)).page);
    const [alice, bob, carol, dave] = pages as [Page, Page, Page, Page];
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    const id = (p: Page) => p.evaluate(() => window.confabDebug!.selfId);
    const ids: string[] = [await id(alice)];
    const epochs: number[] = [];
    const epochOf = async (p: Page) => (await keyView(p)).epoch;

    for (const [page, name] of [[bob, 'Bob'], [carol, 'Carol'], [dave, 'Dave']] as const) {
      await joinRoom(page, name, link);
      ids.push(await id(page));
      await holdersAre(pages.slice(0, ids.length), ids);
      epochs.push(await epochOf(alice));
      console.log(`[media-keys] ${name} joined: epoch ${epochs.at(-1)}, ${ids.length} holders on every page`);
    }
    await expectVideoFlowing(dave, ids[0]!);

    // Dave leaves: the three who stay move to an epoch without him.
    await dave.getByRole('button', { name: 'Leave' }).click();
    await holdersAre([alice, bob, carol], ids.slice(0, 3));
    expect(await epochOf(alice)).toBeGreaterThan(epochs.at(-1)!);
    epochs.push(await epochOf(alice));
    console.log(`[media-keys] Dave left: epoch ${epochs.at(-1)}`);

    // Alice (host) removes Carol: Alice and Bob move to an epoch without her.
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    await alice.getByRole('button', { name: 'Remove Carol' }).click();
    await holdersAre([alice, bob], ids.slice(0, 2));
    expect(await epochOf(bob)).toBeGreaterThan(epochs.at(-1)!);
    console.log(`[media-keys] Carol removed: epoch ${await epochOf(bob)}`);
    await expectVideoFlowing(bob, ids[0]!);
  }, 600_000);
});
