import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { relayAccessFor, type RelayAccess } from '../../../../crdt/identity/relay-access';
import { signRelayHello } from '../../../../crdt/identity/relay-proof';
import { RELAY_PROTOCOL_VERSION, type RelayServerMessage } from '../../../../crdt/protocol/relay-wire';
import { formatRoomHash, newRoomLink } from '../../../../crdt/identity/room-link';
import { roomTopicFor } from '../../../../crdt/identity/room-topic';
import { startBots, startRelayNode } from '../../../load/harness';
import { loadRecording } from '../../../load/recording';
import { repoRoot } from '../../../support/relay-process';
import { until } from '../../../support/signaling-socket';

const host = await newSigningIdentity();
const roomId = await roomIdForHostKey(host.publicKey);
const link = newRoomLink(roomId);
const topic = await roomTopicFor(roomId);
const linkAccess = await relayAccessFor(link.secret, roomId);
/** What someone with only the room id can make: an access of a secret of their own. */
const strangersAccess = await relayAccessFor(newRoomLink(roomId).secret, roomId);

/** Says hello as a modified client would (its own valid participant key), then asks for something that needs a session. */
async function helloAt(controlUrl: string, shown: { room?: string; gate: string; access: (binding: { nonce: string; room: string; peer: string }) => Promise<string> }) {
  const identity = await newSigningIdentity();
  const peer = await peerIdForKey(identity.publicKey);
  const room = shown.room ?? topic;
  const ws = new WebSocket(controlUrl);
  const messages: RelayServerMessage[] = [];
  let closed = false;
  ws.on('close', () => (closed = true));
  ws.on('error', () => {});
  await new Promise<void>((resolve) => ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString())) === 1 && resolve()));
  const nonce = (messages[0] as Extract<RelayServerMessage, { type: 'welcome' }>).nonce;
  const binding = { nonce, room, peer };
  ws.send(JSON.stringify({ type: 'hello', v: RELAY_PROTOCOL_VERSION, ...binding, key: identity.publicKey, proof: await signRelayHello(identity, binding), gate: shown.gate, access: await shown.access(binding) }));
  ws.send(JSON.stringify({ type: 'subscribe', tile: 0, publisher: 'x', layer: 'low' }));
  await until(() => closed || messages.some((m) => m.type === 'error'), 'condition', 10_000);
  ws.close();
  return { refused: messages.find((m) => m.type === 'refused'), error: messages.find((m) => m.type === 'error'), closed };
}

const showing = (access: RelayAccess, gate = access.gate) => ({ gate, access: (b: { nonce: string; room: string; peer: string }) => access.prove(b) });

describe('a relay hello shows the room link (issue 13, attack 9)', () => {
  const stops: (() => unknown)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it('attack 9: a relay joined to the room (`confab relay --join`, a real process) refuses a stranger with only the room id', async () => {
    // Its signaling relay is nowhere: it keeps trying, and serves /relay meanwhile.
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', 'relay', '--join', `http://127.0.0.1:9/${formatRoomHash(link)}`, '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'confab-relay-'))], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    stops.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /listening at http:\/\/\S+\//.test(out), 'condition', 30_000);
    const controlUrl = /listening at (http:\/\/\S+\/)/.exec(out)![1]!.replace(/^http/, 'ws') + 'relay';

    // The room id alone: a made-up secret's gate and access.
    const stranger = await helloAt(controlUrl, showing(strangersAccess));
    expect(stranger.refused).toMatchObject({ type: 'refused', reason: 'bad proof' });
    expect(stranger.closed).toBe(true);
    // The room's gate (the room server's relay learns it) without the HMAC only the link gives.
    const gateOnly = await helloAt(controlUrl, showing(strangersAccess, linkAccess.gate));
    expect(gateOnly.refused).toMatchObject({ reason: 'bad proof' });
    // A link holder's hello for another room: this relay serves its own room only.
    const elsewhere = await helloAt(controlUrl, { ...showing(linkAccess), room: await roomTopicFor(newRoomLink().roomId) });
    expect(elsewhere.refused).toMatchObject({ reason: 'bad proof' });
    // The link holder passes hello (the relay then wants its connection first).
    const member = await helloAt(controlUrl, showing(linkAccess));
    expect(member.refused).toBeUndefined();
    expect(member.error).toEqual({ type: 'error', reason: 'subscribe: send connect first' });
  }, 60_000);

  it('attack 9: at the room server’s own relay (no link to check), a stranger with only the room id lands alone: nobody of the room, nobody sees it', async () => {
    const relay = await startRelayNode();
    stops.push(() => relay.stop());
    const recording = loadRecording();
    const opts = { videoSlots: 2, audioSlots: 1, audioLevel: () => 127, room: topic, startBatch: 1 };
    const members = await startBots(relay, recording, 2, { ...opts, access: linkAccess });
    stops.push(() => members.stop());
    const stranger = await startBots(relay, recording, 1, { ...opts, seed: 2, access: strangersAccess });
    stops.push(() => stranger.stop());
    const [alice, bob] = members.bots as [(typeof members.bots)[0], (typeof members.bots)[0]];
    const eve = stranger.bots[0]!;
    const publishersSeen = (bot: typeof eve) => new Set(bot.messages.flatMap((m) => (m.type === 'publishers' ? m.peers : [])));
    await until(() => publishersSeen(alice).has(bob.id) && publishersSeen(bob).has(alice.id) && publishersSeen(eve).has(eve.id), 'condition', 20_000);
    // The stranger's own tile request for a member is refused: no such publisher in its room.
    eve.subscribe(0, alice.id, 'low');
    await until(() => eve.messages.some((m) => m.type === 'error' && m.reason === `no publisher ${alice.id}`), 'condition', 10_000);
    expect([...publishersSeen(eve)]).toEqual([eve.id]);
    expect(publishersSeen(alice).has(eve.id) || publishersSeen(bob).has(eve.id)).toBe(false);
    expect((await relay.stats()).rooms).toBe(2);
  }, 90_000);
});
