import { describe, expect, it } from 'vitest';
import { Admission } from '../../../../client/src/session/admission';
import { MeshSession } from '../../../../client/src/mesh/mesh-session';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';
import type { SignalingClient } from '../../../../client/src/signaling/signaling-client';
import { SignedSignals } from '../../../../client/src/signaling/signed-signals';
import { DocSync } from '../../../../crdt/room/doc-sync';
import { newSigningIdentity, roomIdForHostKey, sign, type SigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey, signDescription } from '../../../../crdt/identity/participant-identity';
import { RoomControls } from '../../../../crdt/room/room-controls';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink } from '../../../../crdt/identity/room-link';
import { SignalGuard, SignalSigner } from '../../../../crdt/identity/signal-auth';
import type { PeerSignal, SignalEnvelope } from '../../../../crdt/protocol/wire';
import { until } from '../../../support/signaling-socket';

interface Person {
  id: string;
  identity: SigningIdentity;
  signals: SignedSignals;
}

async function person(roomId: string): Promise<Person> {
  const identity = await newSigningIdentity();
  const id = await peerIdForKey(identity.publicKey);
  return { id, identity, signals: new SignedSignals(roomId, id, identity) };
}

/** An open room, its keys, and a receiving page: a real MeshSession whose signaling socket is a recorder. */
async function room() {
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  const keys = await deriveRoomKeys(newRoomLink(roomId));
  const receiver = await person(roomId);
  const published: { topic: string; envelope: SignalEnvelope }[] = [];
  const signaling = {
    subscribe() {},
    probe() {},
    publish(topic: string, data: string) {
      void keys.open(data).then((e) => published.push({ topic, envelope: e as SignalEnvelope }));
    },
  } as unknown as SignalingClient;
  const doc = new RoomDoc();
  const events = { gone: [] as string[], knocks: [] as string[] };
  const mesh = new MeshSession({
    selfId: receiver.id,
    keys,
    auth: receiver.signals,
    signaling,
    sync: new DocSync(doc.doc),
    gate: new Admission(roomId, receiver.id, receiver.identity, new RoomControls(roomId, doc)),
    localTrack: () => null,
    linksWanted: () => true,
    onPeersChanged: () => {},
    onGone: (id) => events.gone.push(id),
    onKnock: (id) => events.knocks.push(id),
  });
  await mesh.start();
  return { roomId, keys, receiver, mesh, published, events };
}

type Room = Awaited<ReturnType<typeof room>>;

/** A sealed signal arrives on the room topic (no `to`) or the receiver's own topic. */
async function deliver(r: Room, envelope: SignalEnvelope | Promise<SignalEnvelope | null> | null): Promise<void> {
  const e = await envelope;
  if (!e) throw new Error('nothing to deliver');
  const topic = e.to === undefined ? r.keys.roomTopic : await r.keys.peerTopic(r.receiver.id);
  r.mesh.receive(topic, await r.keys.seal(e));
}

/** Signals are handled in arrival order: once a later knock from `who` is seen, everything before it was handled. */
async function drained(r: Room, who: Person): Promise<void> {
  const before = r.events.knocks.length;
  await deliver(r, who.signals.broadcast({ kind: 'knock', key: who.identity.publicKey, name: 'marker' }));
  await until(() => r.events.knocks.length > before);
}

const announce = (p: Person, instance = p.signals.inst): PeerSignal => ({ kind: 'announce', key: p.identity.publicKey, proof: [], instance });

/** The receiver hears the victim announce itself and answers it (on the victim's own topic). */
async function linked(r: Room, victim: Person): Promise<void> {
  await deliver(r, victim.signals.broadcast(announce(victim)));
  const victimTopic = await r.keys.peerTopic(victim.id);
  await until(() => r.published.some((p) => p.topic === victimTopic && p.envelope.msg.kind === 'announce'));
  expect(victim.signals.admit(r.published.at(-1)!.envelope, await victim.signals.verify(r.published.at(-1)!.envelope))).toBe(true);
}

describe('signed signals (issue 13, attack 6)', () => {
  it('attack 6: a forged bye in another peer’s name ends nothing; the peer’s own bye does', async () => {
    const r = await room();
    const [victim, attacker] = await Promise.all([person(r.roomId), person(r.roomId)]);
    await linked(r, victim);

    // Unsigned, as before this change.
    await deliver(r, { v: 1, from: victim.id, msg: { kind: 'bye' } });
    // Signed by the attacker's own key, claimed to be the victim's.
    const mine = await new SignalSigner(r.roomId, victim.id, attacker.identity, victim.signals.inst).envelope({ kind: 'bye' });
    await deliver(r, mine);
    // The victim's key named, the attacker's signature.
    await deliver(r, { ...mine, auth: { ...mine.auth!, key: victim.identity.publicKey } });
    await drained(r, victim);
    expect(r.events.gone).toEqual([]);

    await deliver(r, victim.signals.broadcast({ kind: 'bye' }));
    await drained(r, attacker);
    expect(r.events.gone).toEqual([victim.id]);
  });

  it('attack 6: an announce with the victim’s key and a new instance is refused; so is the victim’s own old one replayed after a reload', async () => {
    const r = await room();
    const [victim, attacker] = await Promise.all([person(r.roomId), person(r.roomId)]);
    const victimTopic = await r.keys.peerTopic(victim.id);
    const answers = () => r.published.filter((p) => p.topic === victimTopic && p.envelope.msg.kind === 'announce').length;
    const oldAnnounce = await victim.signals.broadcast(announce(victim));
    await deliver(r, oldAnnounce);
    await until(() => answers() === 1);

    const forged = await new SignalSigner(r.roomId, victim.id, attacker.identity, 'new-instance').envelope(announce(victim, 'new-instance'));
    await deliver(r, forged);
    await deliver(r, { ...forged, auth: { ...forged.auth!, key: victim.identity.publicKey } });
    // The victim reloads (same key, a new page load), then its old announce is replayed.
    const reloaded: Person = { ...victim, signals: new SignedSignals(r.roomId, victim.id, victim.identity) };
    await new Promise((resolve) => setTimeout(resolve, 5)); // its seqs follow the clock
    await deliver(r, reloaded.signals.broadcast(announce(reloaded)));
    await deliver(r, oldAnnounce);
    await drained(r, attacker);
    // Answered: the first announce and the reload's. Not the forgeries nor the replay.
    expect(answers()).toBe(2);
    expect(r.published.filter((p) => p.topic === victimTopic).at(-1)!.envelope.auth!.toInst).toBe(reloaded.signals.inst);
  });

  it('attack 6: a replayed offer (its huge dial included) counts once, for the page it was sent to; a forged one never', async () => {
    const r = await room();
    const [victim, attacker] = await Promise.all([person(r.roomId), person(r.roomId)]);
    const sdp = 'v=0\r\na=fingerprint:sha-256 AB:CD\r\n';
    const offer: PeerSignal = {
      kind: 'description',
      description: { type: 'offer', sdp },
      key: victim.identity.publicKey,
      sig: await signDescription(victim.identity, r.roomId, victim.id, r.receiver.id, sdp),
      dial: Number.MAX_SAFE_INTEGER,
    };
    // What the receiver's mesh checks, on a signal it hears from the victim once linked.
    const receiverGuard = new SignalGuard(r.roomId, r.receiver.id, r.receiver.signals.inst);
    const check = async (e: SignalEnvelope | null) => {
      const parsed = parseEnvelope(JSON.parse(JSON.stringify(e)));
      const verdict = parsed && (await receiverGuard.verify(parsed));
      return verdict === 'ok' ? (receiverGuard.admit(parsed!) ? 'ok' : 'replayed') : verdict;
    };
    const victimSigner = new SignalSigner(r.roomId, victim.id, victim.identity, victim.signals.inst);
    const genuine = await victimSigner.envelope(offer, { peer: r.receiver.id, inst: r.receiver.signals.inst });
    expect(await check(genuine)).toBe('ok');
    expect(await check(genuine)).toBe('replayed');
    // To the same peer after it reloaded: addressed to a page load that is gone.
    const reloadedGuard = new SignalGuard(r.roomId, r.receiver.id, 'a-later-load');
    expect(await reloadedGuard.verify(parseEnvelope(genuine)!)).toBe('not for us');
    // Moved to another peer, or to the room topic.
    const other = await person(r.roomId);
    expect(await new SignalGuard(r.roomId, other.id, other.signals.inst).verify({ ...genuine, to: other.id })).toBe('not for us');
    const { to: _to, ...broadcast } = genuine;
    expect(await check(broadcast)).toBe('not for us');
    // The dial raised on a real signal, or an offer signed by anyone but the victim.
    expect(await check({ ...genuine, msg: { ...offer, dial: Number.MAX_SAFE_INTEGER - 1 } })).toBe('bad signature');
    const forged = await new SignalSigner(r.roomId, victim.id, attacker.identity, victim.signals.inst).envelope(offer, { peer: r.receiver.id, inst: r.receiver.signals.inst });
    expect(await check(forged)).toBe('wrong key');
    // Nor can a replay move its seq past the replay window: the seq is signed too.
    const later = await victimSigner.envelope({ kind: 'candidate', candidate: null }, { peer: r.receiver.id, inst: r.receiver.signals.inst });
    expect(await check({ ...later, auth: { ...later.auth!, seq: later.auth!.seq + 60_000, sig: later.auth!.sig } })).toBe('bad signature');
  });

  it('signals from another room, or signed over other bytes, are refused; a garbage signature is refused, not thrown', async () => {
    const r = await room();
    const victim = await person(r.roomId);
    const elsewhere = new SignalSigner('another-room-id-xxxxxx', victim.id, victim.identity, victim.signals.inst);
    const guard = new SignalGuard(r.roomId, r.receiver.id, r.receiver.signals.inst);
    expect(await guard.verify(await elsewhere.envelope({ kind: 'bye' }))).toBe('bad signature');
    const e = await victim.signals.broadcast({ kind: 'bye' });
    expect(await guard.verify({ ...e, auth: { ...e.auth!, sig: '!!!' } })).toBe('bad signature');
    expect(await guard.verify({ ...e, auth: { ...e.auth!, sig: await sign(victim.identity, new Uint8Array([1, 2, 3])) } })).toBe('bad signature');
    expect(await guard.verify({ ...e, auth: { ...e.auth!, key: 'not-a-key' } })).toBe('wrong key');
    expect(parseEnvelope({ ...e, auth: { ...e.auth!, seq: -1 } })).toBeNull();
    expect(parseEnvelope({ ...e, auth: 'yes' })).toBeNull();
  });
});
