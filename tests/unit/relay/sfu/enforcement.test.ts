import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { signControl, type ControlKind, type ControlRecord } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey, type SigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { signRelayHello, verifyRelayHello } from '../../../../crdt/identity/relay-proof';
import { RELAY_LIMITS, RELAY_PROTOCOL_VERSION, type RelayClientMessage, type RelayServerMessage } from '../../../../crdt/protocol/relay-wire';
import { RoomControls } from '../../../../crdt/room/room-controls';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import { roomTopicFor } from '../../../../crdt/identity/room-topic';
import { relayCredentials } from '../../../../client/src/relay-node/relay-credentials';
import { ControlSession } from '../../../../relay/sfu/control';
import type { DownTrack } from '../../../../relay/sfu/interfaces';
import type { answerConnection, Connection, ConnectionHandlers } from '../../../../relay/sfu/peer';
import { MAX_RECORDS_PER_ROOM, RoomGuard } from '../../../../relay/sfu/room-guard';
import { IDLE_GUARD_RETENTION_MS, RelayRooms } from '../../../../relay/sfu/rooms';
import { ForwardingStats } from '../../../../relay/sfu/stats';
import { buildRtp, EXT_AUDIO_LEVEL, vp8Payload } from '../../../load/packet-builder';
import { fakeDown, fakeUp } from '../../../support/fake-tracks';
import { until } from '../../../support/wait';

const VP8 = 96;
const OPUS = 111;

/** The `ws` socket as ControlSession uses it: messages in, JSON out, close. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly received: RelayServerMessage[] = [];
  closedWith: { code: number; reason: string } | null = null;
  send(text: string): void {
    this.received.push(JSON.parse(text) as RelayServerMessage);
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.closedWith = { code, reason };
    this.emit('close');
  }
  deliver(message: RelayClientMessage | string): void {
    this.emit('message', Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)), false);
  }
}


/** Only the node-datachannel glue is fake: the handlers it gets are how packets enter the room. */
interface FakeConnection {
  handlers: ConnectionHandlers;
  down: { video: (DownTrack & { packets: Buffer[] })[] };
  closed: boolean;
}
function fakeAnswer(made: FakeConnection[]): typeof answerConnection {
  return async (_name, _sdp, layout, handlers) => {
    const video = layout.downVideo.map(() => fakeDown());
    const fake: FakeConnection = { handlers, down: { video }, closed: false };
    made.push(fake);
    const conn: Connection = {
      pc: { addRemoteCandidate() {} } as unknown as Connection['pc'],
      up: { audio: fakeUp(), video: [fakeUp(), fakeUp(), fakeUp()], audioPayloadType: OPUS, videoPayloadType: VP8, audioLevelExtensionId: EXT_AUDIO_LEVEL },
      down: { video: video.map((track, i) => ({ track, ssrc: 1000 + i })), audio: [] },
      answerSdp: 'v=0',
      video: layout.downVideo.map((mid, i) => ({ mid, ssrc: 1000 + i })),
      audio: [],
      keep: [],
      close: () => void (fake.closed = true),
    };
    return conn;
  };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

/** A relay node's rooms with fake native glue, and a room with its host. */
async function relayWithRoom() {
  const stats = new ForwardingStats();
  const clock = { ms: 0 };
  const rooms = new RelayRooms(stats, { random: () => 0 }, () => clock.ms);
  const connections: FakeConnection[] = [];
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  const topic = await roomTopicFor(roomId);
  let seq = 1;
  const sign = (kind: ControlKind, target?: SigningIdentity | string, by: SigningIdentity = host, room = roomId): Promise<ControlRecord> =>
    signControl(by, { room, kind, seq: seq++, ...(target ? { target: typeof target === 'string' ? target : target.publicKey } : {}) });

  /** A participant's control socket; `hello` proves `identity` unless told to lie. */
  async function participant(identity?: SigningIdentity) {
    const me = identity ?? (await newSigningIdentity());
    const peer = await peerIdForKey(me.publicKey);
    const ws = new FakeSocket();
    const session = new ControlSession(ws as never, rooms, stats, {}, fakeAnswer(connections));
    const welcome = ws.received[0] as Extract<RelayServerMessage, { type: 'welcome' }>;
    const last = <T extends RelayServerMessage['type']>(type: T) => ws.received.filter((m): m is Extract<RelayServerMessage, { type: T }> => m.type === type).at(-1);
    return {
      me,
      peer,
      ws,
      session,
      welcome,
      last,
      async hello(opts: { nonce?: string; key?: string; room?: string } = {}) {
        const binding = { nonce: opts.nonce ?? welcome.nonce, room: opts.room ?? topic, peer };
        ws.deliver({ type: 'hello', v: RELAY_PROTOCOL_VERSION, room: topic, peer, key: opts.key ?? me.publicKey, proof: await signRelayHello(me, binding) });
      },
      control(records: unknown[]) {
        ws.deliver({ type: 'control', records });
      },
      /** Offers a connection; resolves with its fake once answered (or null if refused). */
      async connect(): Promise<FakeConnection | null> {
        const before = connections.length;
        ws.deliver({ type: 'connect', sdp: 'v=0', layout: { video: {}, downVideo: ['v0'], downAudio: [] } });
        await until(() => !!last('answer') || ws.readyState !== 1, 'answer or close');
        return ws.readyState === 1 ? connections[before]! : null;
      },
    };
  }
  return { rooms, stats, clock, host, roomId, topic, sign, participant };
}

function videoPacket(seq: number, keyframe: boolean) {
  return buildRtp({ payloadType: VP8, seq, timestamp: seq * 3000, ssrc: 5, payload: vp8Payload({ start: true, keyframe }) });
}

describe('relay sessions are bound to participant keys', () => {
  it('welcomes with a fresh nonce and refuses a hello whose proof does not hold', async () => {
    const r = await relayWithRoom();
    const a = await r.participant();
    const b = await r.participant();
    expect(a.welcome).toMatchObject({ type: 'welcome', v: 2, maxVideoSlots: RELAY_LIMITS.maxVideoSlots });
    expect(a.welcome.nonce).toMatch(/^[\w-]{22}$/);
    expect(a.welcome.nonce).not.toBe(b.welcome.nonce);

    // A proof over another session's nonce (a replay).
    await a.hello({ nonce: b.welcome.nonce });
    await until(() => a.ws.readyState !== 1, 'replayed proof refused');
    expect(a.last('refused')).toEqual({ type: 'refused', reason: 'bad proof', records: [] });
    expect(a.ws.closedWith).toEqual({ code: 1008, reason: 'refused: bad proof' });

    // Someone else's key for our peer id: it does not hash to the peer id.
    const other = await newSigningIdentity();
    await b.hello({ key: other.publicKey });
    await until(() => b.ws.readyState !== 1, 'borrowed key refused');
    expect(b.last('refused')?.reason).toBe('bad proof');

    // A proof for another room topic.
    const c = await r.participant();
    await c.hello({ room: 'another-topic' });
    await until(() => c.ws.readyState !== 1, 'proof for another room refused');

    // Nothing but hello counts before hello.
    const d = await r.participant();
    d.ws.deliver({ type: 'subscribe', tile: 0, publisher: 'x', layer: 'low' });
    await until(() => d.ws.received.some((m) => m.type === 'error'), 'error before hello');
    expect(d.last('error')?.reason).toBe('subscribe: send hello first');
    expect(r.stats).toBeDefined();
    expect(r.rooms.sessionsRefused).toBe(3);
    expect(r.rooms.guardCount).toBe(0);
  });

  it('accepts a good proof and connects', async () => {
    const r = await relayWithRoom();
    const a = await r.participant();
    await a.hello();
    expect(await a.connect()).not.toBeNull();
    expect(a.last('publishers')?.peers).toEqual([a.peer]);
  });
});

describe('the relay enforces the room control records', () => {
  it('a remove closes that session at once: nothing more is forwarded to or from it, and it cannot come back', async () => {
    const r = await relayWithRoom();
    const alice = await r.participant();
    const bob = await r.participant();
    const carol = await r.participant();
    for (const p of [alice, bob, carol]) await p.hello();
    alice.control([await r.sign('host-session', alice.me)]);
    const [, bobConn, carolConn] = [await alice.connect(), await bob.connect(), await carol.connect()];
    bob.ws.deliver({ type: 'subscribe', tile: 0, publisher: carol.peer, layer: 'low' });
    carol.ws.deliver({ type: 'subscribe', tile: 0, publisher: bob.peer, layer: 'low' });
    await settle();
    for (let seq = 0; seq < 10; seq++) {
      carolConn!.handlers.video(0, videoPacket(seq, seq === 0));
      bobConn!.handlers.video(0, videoPacket(seq, seq === 0));
    }
    expect(bobConn!.down.video[0]!.packets.length).toBe(10);
    expect(carolConn!.down.video[0]!.packets.length).toBe(10);

    const remove = await r.sign('remove', carol.me);
    alice.control([remove]);
    await until(() => carol.ws.readyState !== 1, 'carol dropped');
    expect(carol.last('refused')).toMatchObject({ type: 'refused', reason: 'removed' });
    expect(carol.last('refused')!.records).toContainEqual(remove);
    expect(carol.ws.closedWith).toEqual({ code: 1008, reason: 'refused: removed' });
    expect(carolConn!.closed).toBe(true);
    expect(bob.last('publishers')?.peers).toEqual([alice.peer, bob.peer]);
    // Packets still in flight on her connection go nowhere, and hers get nothing.
    for (let seq = 10; seq < 20; seq++) {
      carolConn!.handlers.video(0, videoPacket(seq, seq === 10));
      bobConn!.handlers.video(0, videoPacket(seq, seq === 10));
    }
    expect(bobConn!.down.video[0]!.packets.length).toBe(10);
    expect(carolConn!.down.video[0]!.packets.length).toBe(10);
    expect(alice.ws.readyState).toBe(1);
    expect(bob.ws.readyState).toBe(1);

    // The same key again (a reload): refused at hello, with the records that show why.
    const again = await r.participant(carol.me);
    await again.hello();
    await until(() => again.ws.readyState !== 1, 'carol refused again');
    expect(again.last('refused')?.reason).toBe('removed');
    expect(r.rooms.sessionsRefused).toBe(2);
  });

  it('remembers an emptied room\'s records for a while: a removed key coming back to an empty room is still refused', async () => {
    const r = await relayWithRoom();
    const alice = await r.participant();
    const carol = await r.participant();
    for (const p of [alice, carol]) await p.hello();
    alice.control([await r.sign('remove', carol.me)]);
    await until(() => carol.ws.readyState !== 1, 'carol dropped');
    alice.ws.deliver({ type: 'bye' });
    await until(() => alice.ws.readyState !== 1, 'alice left');
    r.clock.ms += IDLE_GUARD_RETENTION_MS - 1;
    const back = await r.participant(carol.me);
    await back.hello();
    await until(() => back.ws.readyState !== 1, 'refused in the empty room');
    expect(back.last('refused')?.reason).toBe('removed');
    r.clock.ms += IDLE_GUARD_RETENTION_MS;
    const later = await r.participant();
    await later.hello(); // prunes the idle room, then starts it afresh
    const again = await r.participant(carol.me);
    await again.hello();
    expect(await again.connect()).not.toBeNull();
  });

  it('a locked room refuses keys it has not admitted and accepts those it has, as peers do', async () => {
    const r = await relayWithRoom();
    const alice = await r.participant();
    const bob = await r.participant();
    const early = await r.participant();
    for (const p of [alice, bob, early]) await p.hello();
    for (const p of [alice, bob, early]) expect(await p.connect()).not.toBeNull();
    // Alice locks with an admission for Bob (present at the lock); `early` is not in the records.
    alice.control([await r.sign('host-session', alice.me), await r.sign('lock'), await r.sign('admit', bob.me)]);
    await until(() => early.ws.readyState !== 1, 'the not-admitted session dropped by the lock');
    expect(early.last('refused')?.reason).toBe('locked');
    expect(alice.ws.readyState).toBe(1);
    expect(bob.ws.readyState).toBe(1);

    const stranger = await r.participant();
    await stranger.hello();
    expect(await stranger.connect()).toBeNull();
    expect(stranger.last('refused')?.reason).toBe('locked');
    expect(stranger.last('refused')!.records.map((x) => (x as ControlRecord).kind)).toContain('lock');

    // A knocker the host admitted brings its admission along (as in its announce) before connect.
    const knocker = await r.participant();
    const admission = await r.sign('admit', knocker.me);
    await knocker.hello();
    knocker.control([admission]);
    expect(await knocker.connect()).not.toBeNull();
    // A denied key is told so.
    const denied = await r.participant();
    alice.control([await r.sign('deny', denied.me)]);
    await settle();
    await denied.hello();
    expect(await denied.connect()).toBeNull();
    expect(denied.last('refused')?.reason).toBe('denied');
    // Ending the room drops everyone, host included.
    alice.control([await r.sign('end')]);
    await until(() => [alice, bob, knocker].every((p) => p.ws.readyState !== 1), 'everyone dropped on end');
    expect(alice.last('refused')?.reason).toBe('ended');
  });

  it('ignores forged, unauthorized and foreign-room records, and never crashes on garbage', async () => {
    const r = await relayWithRoom();
    const alice = await r.participant();
    const bob = await r.participant();
    for (const p of [alice, bob]) await p.hello();
    expect(await bob.connect()).not.toBeNull();
    const lock = await r.sign('lock');
    const otherHost = await newSigningIdentity();
    const otherRoom = await roomIdForHostKey(otherHost.publicKey);
    const attacks: unknown[] = [
      { ...lock, kind: 'end' }, // the host's signature on other content
      { ...(await r.sign('remove', bob.me)), sig: lock.sig },
      await r.sign('remove', bob.me, alice.me), // a member's own signature
      await r.sign('end', undefined, alice.me),
      await r.sign('host-session', alice.me, alice.me),
      await r.sign('lock', undefined, otherHost, otherRoom), // genuine, for another room
      await r.sign('remove', bob.me, otherHost, r.roomId), // our room id, signed by a key that is not its host's
      null,
      'lock',
      42,
      [],
      { v: 1, kind: 'end' },
      { ...lock, seq: -1 },
      { ...lock, room: 'x'.repeat(10_000) },
    ];
    alice.control(attacks);
    alice.ws.deliver('{not json');
    alice.ws.deliver(JSON.stringify({ type: 'control', records: 'lock' }));
    alice.ws.deliver(JSON.stringify({ type: 'control' }));
    await settle();
    await until(() => alice.ws.received.filter((m) => m.type === 'error').length === 3, 'three malformed messages answered');
    expect(bob.ws.readyState).toBe(1);
    expect(alice.ws.readyState).toBe(1);
    const stranger = await r.participant();
    await stranger.hello();
    expect(await stranger.connect()).not.toBeNull(); // still not locked, nobody removed
    expect(r.rooms.sessionsRefused).toBe(0);
  });

  it('bounds what one session may send: records per message, records per second, messages queued', async () => {
    const r = await relayWithRoom();
    const alice = await r.participant();
    await alice.hello();
    const lock = await r.sign('lock');
    // More records than a message may carry: the message is malformed, nothing is folded.
    alice.control(Array.from({ length: RELAY_LIMITS.maxControlRecords + 1 }, () => lock));
    // A message over 64 KiB likewise.
    alice.ws.deliver(JSON.stringify({ type: 'control', records: ['x'.repeat(RELAY_LIMITS.maxMessageBytes)] }));
    await until(() => alice.ws.received.filter((m) => m.type === 'error').length === 2, 'both refused');
    const probe = await r.participant();
    await probe.hello();
    expect(await probe.connect()).not.toBeNull();

    // Records no authority stands behind (signed by a member's own key) cost a parse each; past
    // the session's budget they are not even parsed.
    const selfSigned = await Promise.all(Array.from({ length: RELAY_LIMITS.maxControlRecords }, (_, i) => r.sign('remove', `k${i}`, alice.me)));
    for (let i = 0; i <= MAX_RECORDS_PER_ROOM / RELAY_LIMITS.maxControlRecords; i++) alice.control(selfSigned);
    await until(() => alice.ws.received.some((m) => m.type === 'error' && m.reason === 'control: too many control records'), 'budget spent', 10_000);
    expect(alice.ws.readyState).toBe(1);

    // Records in the host's name whose signatures fail cost a verification each: a few, and the session goes.
    const forger = await r.participant();
    await forger.hello();
    forger.control([{ ...lock, kind: 'unlock' }, { ...lock, seq: 99, sig: lock.sig.slice(0, -4) + 'AAAA' }]);
    await settle();
    expect(forger.ws.readyState).toBe(1);
    forger.control([{ ...lock, kind: 'end', sig: lock.sig.slice(0, -4) + 'BBBB' }]);
    await until(() => forger.ws.readyState !== 1, 'forger dropped');
    expect(forger.ws.closedWith).toEqual({ code: 1008, reason: 'forged control records' });

    // A burst of messages faster than they are handled: the socket is dropped, the relay lives on.
    const flooder = await r.participant();
    await flooder.hello();
    for (let i = 0; i < 300; i++) flooder.control([lock]);
    expect(flooder.ws.closedWith).toEqual({ code: 1008, reason: 'too many messages' });
    expect(probe.ws.readyState).toBe(1);
  });

  it('keeps at most MAX_RECORDS_PER_ROOM genuine records per room, and learns the room only from its own records', async () => {
    const host = await newSigningIdentity();
    const roomId = await roomIdForHostKey(host.publicKey);
    let changes = 0;
    const guard = new RoomGuard(await roomTopicFor(roomId), () => changes++);
    const otherHost = await newSigningIdentity();
    const otherRoom = await roomIdForHostKey(otherHost.publicKey);
    expect(await guard.offer([await signControl(otherHost, { room: otherRoom, kind: 'lock', seq: 1 })])).toEqual({ accepted: 0, forged: 0 });
    expect(guard.state.locked).toBe(false);
    const targets = await Promise.all(Array.from({ length: 40 }, async (_, i) => `guest-${i}`));
    const many = await Promise.all(
      Array.from({ length: MAX_RECORDS_PER_ROOM + 50 }, (_, i) => signControl(host, { room: roomId, kind: 'admit', target: targets[i % 40]!, seq: i + 1 })),
    );
    for (let i = 0; i < many.length; i += 500) await guard.offer(many.slice(i, i + 500));
    expect(guard.size).toBe(MAX_RECORDS_PER_ROOM);
    expect(changes).toBeGreaterThan(0);
    expect(await guard.offer([{ ...many[0]!, sig: 'AAAA' }, { ...many[1]!, kind: 'deny', sig: 'BBBB' }])).toEqual({ accepted: 0, forged: 2 });
  }, 30_000);
});

describe("a page's relay credentials", () => {
  it('prove its key over the nonce, and hand over only the records its own fold applied', async () => {
    const r = await relayWithRoom();
    const me = await newSigningIdentity();
    const room = new RoomDoc();
    const controls = new RoomControls(r.roomId, room);
    const lock = await r.sign('lock');
    const remove = await r.sign('remove', me);
    room.addControls([lock, remove, { ...lock, kind: 'unlock', sig: 'AAAA' } as never, (await r.sign('end', undefined, me)) as never]);
    await controls.settled();
    const creds = relayCredentials(r.roomId, Promise.resolve(me), controls);
    expect(creds.records()).toEqual([lock, remove]);
    const peer = await peerIdForKey(me.publicKey);
    const { key, proof } = await creds.prove('nonce-1', r.topic, peer);
    expect(key).toBe(me.publicKey);
    expect(await verifyRelayHello(key, proof, { nonce: 'nonce-1', room: r.topic, peer })).toBe(true);
    expect(await verifyRelayHello(key, proof, { nonce: 'nonce-2', room: r.topic, peer })).toBe(false);
    controls.destroy();
  });
});
