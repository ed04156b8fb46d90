import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { newSigningIdentity } from '../../crdt/identity/host-identity';
import { peerIdForKey } from '../../crdt/identity/participant-identity';
import { signRelayHello } from '../../crdt/identity/relay-proof';
import { RELAY_PROTOCOL_VERSION, type RelayServerMessage } from '../../crdt/protocol/relay-wire';
import { roomTopicFor } from '../../crdt/identity/room-topic';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, framesDecoded, joinRoom, peerIds, waitUntil } from '../support/room-actions';

const selfId = (page: Page) => page.evaluate(() => window.confabDebug!.selfId);
const topology = (page: Page) => page.evaluate(() => window.confabDebug!.topology());

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/**
 * Decoded frames from `peerId` rising over a second. Patient: right after a mesh ⇄ relay switch
 * the count moves from one receiver to another, and a relay layer's first keyframe takes seconds.
 */
async function expectDecoding(page: Page, peerId: string): Promise<void> {
  await waitUntil(async () => {
    const before = await framesDecoded(page, peerId);
    await new Promise((r) => setTimeout(r, 1_000));
    return (await framesDecoded(page, peerId)) > before + 3;
  }, 30_000, `frames rising from ${peerId}`);
}

async function openYourRoom(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Your room', exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
}

/**
 * Someone with only the room's topic (no link secret, no admission) goes to the relay node as
 * a modified client would: its own key, a valid proof, an offer. Returns the relay's refusal.
 */
async function strangerAtRelay(relayUrl: string, roomId: string): Promise<RelayServerMessage | null> {
  const identity = await newSigningIdentity();
  const peer = await peerIdForKey(identity.publicKey);
  const room = await roomTopicFor(roomId);
  const ws = new WebSocket(relayUrl.replace(/^http/, 'ws') + 'relay');
  const messages: RelayServerMessage[] = [];
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const welcome = new Promise<string>((resolve) =>
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as RelayServerMessage;
      messages.push(m);
      if (m.type === 'welcome') resolve(m.nonce);
    }),
  );
  const nonce = await welcome;
  ws.send(JSON.stringify({ type: 'hello', v: RELAY_PROTOCOL_VERSION, room, peer, key: identity.publicKey, proof: await signRelayHello(identity, { nonce, room, peer }) }));
  ws.send(JSON.stringify({ type: 'connect', sdp: 'v=0\r\n', layout: { video: {}, downVideo: [], downAudio: [] } }));
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
  ws.close();
  return messages.find((m) => m.type === 'refused' || m.type === 'answer') ?? null;
}

/**
 * The relay node enforces the room's signed records like any peer (design.md, principle 3):
 * three Chromium pages on the relay (--mesh-max 2), the host locks and a stranger holding the
 * room topic is refused by the relay; the host removes Carol, whose modified client ignores
 * it, and the relay drops her session while Alice and Bob go on.
 */
describe('the relay node enforces lock and remove', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  const pages: Record<string, Page> = {};
  let roomId = '';
  let link = '';
  let closeCarol = async () => {};

  it('three people on the relay; the host locks; a stranger with the room topic is refused by the relay', async () => {
    pages.alice = (await newParticipant(h.browser)).page;
    pages.bob = (await newParticipant(h.browser)).page;
    const carol = await newParticipant(h.browser);
    await carol.context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
    pages.carol = carol.page;
    closeCarol = () => carol.context.close();
    link = await createRoom(pages.alice, h.relay.url);
    roomId = /#([\w-]{22})\./.exec(link)![1]!;
    await joinRoom(pages.alice, 'Alice');
    await joinRoom(pages.bob, 'Bob', link);
    await joinRoom(pages.carol, 'Carol', link);
    for (const page of Object.values(pages)) {
      await expect.poll(() => topology(page), { timeout: 30_000 }).toBe('relay');
      await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 30_000 }).toBe(2);
    }
    await expectDecoding(pages.carol, await selfId(pages.alice));
    expect(await metric(h.relay.url, 'confab_relay_participants')).toBe(3);

    const bob = pages.bob;
    await openYourRoom(pages.alice);
    await pages.alice.getByRole('button', { name: 'Lock room' }).click();
    await pages.alice.getByRole('button', { name: 'Unlock room' }).waitFor();
    await waitUntil(() => bob.evaluate(() => window.confabDebug!.controls().locked), 5_000, 'bob sees the lock');
    // The lock reached the relay with the records Alice's page holds (it sends each new one).
    const lockedAt = Date.now();
    const refusal = await strangerAtRelay(h.relay.url, roomId);
    console.log(`[measure] stranger with the room topic refused by the relay in ${Date.now() - lockedAt} ms (welcome → hello → connect → refused)`);
    expect(refusal).toMatchObject({ type: 'refused', reason: 'locked' });
    expect((refusal as Extract<RelayServerMessage, { type: 'refused' }>).records.map((r) => (r as { kind: string }).kind)).toContain('lock');
    expect(await metric(h.relay.url, 'confab_relay_participants')).toBe(3);
    for (const page of Object.values(pages)) expect(await peerIds(page)).toHaveLength(2);
  });

  it('the host removes Carol: the relay drops her session even though her client ignores it; Alice and Bob go on', async () => {
    const { alice, bob, carol } = pages as Record<'alice' | 'bob' | 'carol', Page>;
    const [aliceId, bobId] = [await selfId(alice), await selfId(bob)];
    await carol.evaluate(() => window.confabDebug!.tamper!.stayWhenRemoved());
    const refusedBefore = await metric(h.relay.url, 'confab_relay_sessions_refused_total');
    await openYourRoom(alice);
    const removedAt = Date.now();
    await alice.getByRole('button', { name: 'Remove Carol' }).click();
    await waitUntil(async () => (await metric(h.relay.url, 'confab_relay_sessions_refused_total')) > refusedBefore, 5_000, 'the relay dropping carol');
    const droppedMs = Date.now() - removedAt;
    await waitUntil(async () => (await topology(carol)) === 'mesh' && (await peerIds(carol)).length === 0, 5_000, 'carol with no relay link and nobody to see');
    const carolAloneMs = Date.now() - removedAt;
    expect(await metric(h.relay.url, 'confab_relay_participants')).toBeLessThanOrEqual(2);
    console.log(
      `[measure] Remove clicked → relay dropped carol's session in ${droppedMs} ms; → carol's page off the relay with no tiles in ${carolAloneMs} ms`,
    );
    // Still in the call by her own account (a modified client), but nothing reaches her.
    await expectDecoding(alice, bobId);
    await expectDecoding(bob, aliceId);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await peerIds(carol)).toEqual([]);
  });

  it('an honest page removed in relay mode shows what it shows in a mesh, and the relay lets it go', async () => {
    const { alice, bob } = pages as Record<'alice' | 'bob', Page>;
    await closeCarol();
    await openYourRoom(alice);
    await alice.getByRole('button', { name: 'Unlock room' }).click();
    await alice.getByRole('button', { name: 'Lock room' }).waitFor();
    const dave = (await newParticipant(h.browser)).page;
    await joinRoom(dave, 'Dave', link);
    for (const page of [alice, bob, dave]) {
      await expect.poll(() => topology(page), { timeout: 30_000 }).toBe('relay');
      await expect.poll(() => peerIds(page).then((ids) => ids.length), { timeout: 30_000 }).toBe(2);
    }
    await expectDecoding(dave, await selfId(alice));
    await openYourRoom(alice);
    const removedAt = Date.now();
    await alice.getByRole('button', { name: 'Remove Dave' }).click();
    await dave.getByRole('heading', { name: 'The host removed you from this room' }).waitFor({ timeout: 10_000 });
    const shownMs = Date.now() - removedAt;
    await waitUntil(async () => (await metric(h.relay.url, 'confab_relay_participants')) <= 2, 5_000, 'dave off the relay');
    console.log(`[measure] Remove clicked → dave's page says it was removed in ${shownMs} ms; off the relay in ${Date.now() - removedAt} ms`);
    await expectDecoding(alice, await selfId(bob));
  });
});
