import { afterAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage, Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { startJoinedRelay, type JoinedRelayProcess } from '../support/relay-process';
import { createRoom, expectVideoFlowing, joinRoom, peerIds, waitUntil } from '../support/room-actions';

const selfId = (page: Page) => page.evaluate(() => window.confabDebug!.selfId);
const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());
const controls = (page: Page) => page.evaluate(() => window.confabDebug!.controls());

async function joinedRelayStats(relay: JoinedRelayProcess): Promise<{ sessions: number; participants: number; packetsIn: number; packetsOut: number; roomFramesOut: number }> {
  // Where it listens (the one announcing the room server's URL does not listen there).
  const listening = /listening at (http\S+\/)/.exec(relay.output())![1]!;
  return (await fetch(`${listening}stats`)).json();
}

/**
 * Issue 13, attack 3: a knocker the host denied still holds the link, so it can run
 * `confab relay --join` and announce relays in the room: one under the room server's own relay
 * URL (mesh limit 1, to push even two people onto a relay) and one of its own. A locked room
 * uses neither: the two stay on their mesh and the knocker's relay carries nothing of theirs.
 */
describe('joined relays in a locked room', () => {
  const h = useRelayAndBrowser();
  const relays: JoinedRelayProcess[] = [];
  afterAll(async () => {
    for (const relay of relays) await relay.stop();
  });

  it('attack 3: a locked 2-person room sends 0 frames through a relay the denied knocker joined', async () => {
    const [alice, bob, dave] = await Promise.all([newParticipant(h.browser), newParticipant(h.browser), newParticipant(h.browser)]).then((ps) => ps.map((p) => p.page) as [Page, Page, Page]);
    const offered: string[] = [];
    const onConsole = (m: ConsoleMessage) => /relay offered in the room: (\S+)/.test(m.text()) && offered.push(m.text());
    for (const page of [alice, bob]) page.on('console', onConsole);
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 30_000, 'alice and bob connected');

    await alice.getByRole('button', { name: 'Your room', exact: true }).click({ timeout: 60_000 });
    await alice.getByRole('button', { name: 'Lock room' }).click({ timeout: 60_000 });
    await waitUntil(async () => (await controls(bob)).locked, 10_000, 'bob sees the lock');
    await joinRoom(dave, 'Dave', link);
    await dave.getByRole('button', { name: 'Ask to join' }).click({ timeout: 60_000 });
    await alice.getByRole('button', { name: 'Deny Dave' }).first().click({ timeout: 60_000 });
    await dave.getByRole('heading', { name: "The host didn't let you in" }).waitFor({ timeout: 60_000 });

    // Dave, turned away, runs two relays with the link he kept.
    const originRelay = h.relay.url.replace(/^http/, 'ws') + 'relay';
    relays.push(await startJoinedRelay(link, ['--mesh-max', '1']));
    relays.push(await startJoinedRelay(link, ['--mesh-max', '1', '--public-url', originRelay]));
    const [own, impostor] = relays as [JoinedRelayProcess, JoinedRelayProcess];
    // Both pages hear his own relay announced (the impostor's announcement is dropped without a word).
    await waitUntil(async () => offered.filter((t) => t.includes(own.url)).length >= 2, 30_000, 'both pages hear the knocker’s relay');
    // Give the topology switch every chance to (wrongly) move: several settle periods and announcements.
    await new Promise((r) => setTimeout(r, 6_000));

    expect(await topology(alice)).toBe('mesh');
    expect(await topology(bob)).toBe('mesh');
    await expectVideoFlowing(alice, await selfId(bob));
    await expectVideoFlowing(bob, await selfId(alice));
    for (const relay of [own, impostor]) {
      const stats = await joinedRelayStats(relay);
      console.log(`[attack 3] knocker's relay ${relay.url}: ${JSON.stringify({ sessions: stats.sessions, participants: stats.participants, packetsIn: stats.packetsIn, packetsOut: stats.packetsOut })}`);
      expect(stats).toMatchObject({ sessions: 0, participants: 0, packetsIn: 0, packetsOut: 0, roomFramesOut: 0 });
    }
    expect(offered.some((t) => t.includes(originRelay))).toBe(false);
    for (const relay of relays) await relay.stop();
  }, 400_000);

  it('the host approves a joined relay in Your room and takes the approval back; every page folds both records', async () => {
    const started = Date.now();
    const [alice, bob] = await Promise.all([newParticipant(h.browser), newParticipant(h.browser)]).then((ps) => ps.map((p) => p.page) as [Page, Page]);
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 30_000, 'alice and bob connected');
    await alice.getByRole('button', { name: 'Your room', exact: true }).click({ timeout: 30_000 });
    await alice.getByRole('button', { name: 'Lock room' }).click({ timeout: 30_000 });
    await waitUntil(async () => (await controls(bob)).locked, 10_000, 'bob sees the lock');

    const joined = await startJoinedRelay(link);
    relays.push(joined);
    const relayId = await joined.id();
    const row = alice.getByRole('list', { name: 'Joined relays' }).getByRole('listitem').filter({ hasText: new URL(joined.url).host });
    await row.getByText('Not in use').waitFor({ timeout: 30_000 });

    await row.getByRole('button', { name: 'Approve relay', exact: true }).click();
    for (const page of [alice, bob]) await waitUntil(async () => (await controls(page)).approvedRelays.includes(relayId), 10_000, 'the approval reaches every page');
    await row.getByText('Approved', { exact: true }).waitFor({ timeout: 5_000 });

    await row.getByRole('button', { name: 'Revoke approval', exact: true }).click();
    for (const page of [alice, bob]) await waitUntil(async () => (await controls(page)).approvedRelays.length === 0, 10_000, 'the revocation reaches every page');
    await row.getByRole('button', { name: 'Approve relay', exact: true }).waitFor({ timeout: 5_000 });

    // A guest sees no relay list and no approval button.
    await bob.getByRole('button', { name: 'Your room', exact: true }).click({ timeout: 30_000 });
    await bob.getByRole('list', { name: 'Participants' }).waitFor({ timeout: 10_000 });
    expect(await bob.getByRole('list', { name: 'Joined relays' }).count()).toBe(0);
    console.log(`[approve relay] approve → revoke in a locked room: ${Date.now() - started} ms`);
  }, 120_000);
});
