import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, expectVideoFlowing, joinRoom, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

/** A UDP port on loopback that swallows STUN requests: a STUN server that never answers. */
let silentStun: Socket;
let stunRequests = 0;
/** Filled in once the port is known: top-level hooks run before the describe's (the harness). */
const iceArgs: string[] = [];
beforeAll(async () => {
  silentStun = createSocket('udp4');
  silentStun.on('message', () => stunRequests++);
  await new Promise<void>((resolve) => silentStun.bind(0, '127.0.0.1', resolve));
  iceArgs.push('--ice-servers', `stun:127.0.0.1:${silentStun.address().port}`);
});
afterAll(() => silentStun.close());

describe('--ice-servers reach the browsers through the welcome frame', () => {
  const h = useRelayAndBrowser(iceArgs);

  it('peer connections are configured with the STUN server; the call still connects over host candidates', async () => {
    const newPage = async () => (await newParticipant(h.browser)).page;
    const { alice, bob } = await twoPersonCall(newPage, h.relay.url);
    const [bobId] = await peerIds(alice);
    const [aliceId] = await peerIds(bob);
    expect(await alice.evaluate((id) => window.confabDebug!.iceServerCount(id), bobId!)).toBe(1);
    expect(await bob.evaluate((id) => window.confabDebug!.iceServerCount(id), aliceId!)).toBe(1);
    await expectVideoFlowing(bob, aliceId!);
    // Chromium really asked it (and got no answer): the setting is in use, not just stored.
    await waitUntil(async () => stunRequests > 0, 5_000, 'a STUN binding request to the silent server');
  });
});

describe('--max-peers-per-room 2', () => {
  const h = useRelayAndBrowser(['--max-peers-per-room', '2']);

  it('a third person is told the room is full, and gets in once someone leaves', async () => {
    const alice = (await newParticipant(h.browser)).page;
    const bob = (await newParticipant(h.browser)).page;
    const carol = (await newParticipant(h.browser)).page;
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(alice)).length === 1, 20_000, 'alice and bob connected');

    await joinRoom(carol, 'Carol', link);
    const full = carol.getByRole('alert').filter({ hasText: 'This room is full (2 people)' });
    await full.waitFor({ timeout: 10_000 });
    expect(await carol.getByRole('heading', { name: 'Waiting for a place in this room' }).isVisible()).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await peerIds(alice)).toHaveLength(1);
    expect(await peerIds(carol)).toHaveLength(0);
    expect(h.relay.output()).toMatch(/"msg":"subscription refused","reason":"room-full","limit":2/);

    await bob.getByRole('button', { name: 'Leave' }).click();
    // The client asks again every 15 s.
    await waitUntil(async () => (await peerIds(carol)).length === 1, 30_000, 'carol admitted after bob left');
    await full.waitFor({ state: 'hidden', timeout: 5_000 });
    await waitUntil(async () => (await peerIds(alice)).length === 1, 10_000, 'alice sees carol');
  });
});
