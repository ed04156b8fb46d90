import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newSigningIdentity, roomIdForHostKey, type SigningIdentity } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { deriveRoomKeys, type RoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink } from '../../../../crdt/identity/room-link';
import { SignalSigner } from '../../../../crdt/identity/signal-auth';
import type { Exclusion } from '../../../../crdt/room/control-records';
import { DocSync } from '../../../../crdt/room/doc-sync';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import type { PeerSignal, SignalEnvelope } from '../../../../crdt/protocol/wire';
import { MeshSession } from '../../../../client/src/mesh/mesh-session';
import type { RemotePeer } from '../../../../client/src/mesh/mesh-peers';
import type { PeerGate } from '../../../../client/src/session/admission';
import type { SignalingClient } from '../../../../client/src/signaling/signaling-client';
import { SignedSignals } from '../../../../client/src/signaling/signed-signals';
import { fakeConnect, FakeMediaStream, FakePeerConnection, FakeRTCPeerConnection } from '../../../support/fake-rtc';

/**
 * Real MeshSessions (real keys, signed signals, DocSync) whose ports are small fakes: a
 * signaling hub that routes published frames to every other subscriber, a gate whose verdicts
 * the test sets, and fake peer connections the test connects.
 */
class Hub {
  private readonly pages: { topics: Set<string>; mesh: () => MeshSession }[] = [];
  /** Every frame published, opened with the room key. */
  readonly log: { topic: string; envelope: SignalEnvelope }[] = [];
  probes = 0;
  constructor(private readonly keys: RoomKeys) {}

  socket(mesh: () => MeshSession): SignalingClient {
    const page = { topics: new Set<string>(), mesh };
    this.pages.push(page);
    return {
      subscribe: (topics: string[]) => topics.forEach((t) => page.topics.add(t)),
      probe: () => this.probes++,
      publish: (topic: string, data: string) => {
        void this.keys.open(data).then((e) => e && this.log.push({ topic, envelope: e as SignalEnvelope }));
        for (const other of this.pages) if (other !== page && other.topics.has(topic)) setImmediate(() => other.mesh().receive(topic, data));
      },
    } as unknown as SignalingClient;
  }
}

interface Page {
  id: string;
  key: string;
  identity: SigningIdentity;
  auth: SignedSignals;
  mesh: MeshSession;
  room: RoomDoc;
  peers: RemotePeer[];
  events: { gone: string[]; refused: { from: string; reason: string }[]; packages: string[]; entries: string[] };
  /** The gate's verdict on a key (null: welcome). */
  verdicts: Map<string, Exclusion>;
  linksWanted: boolean;
}

async function room() {
  const host = await newSigningIdentity();
  const roomId = await roomIdForHostKey(host.publicKey);
  const keys = await deriveRoomKeys(newRoomLink(roomId));
  const hub = new Hub(keys);
  async function page(): Promise<Page> {
    const identity = await newSigningIdentity();
    const id = await peerIdForKey(identity.publicKey);
    const roomDoc = new RoomDoc();
    const verdicts = new Map<string, Exclusion>();
    const gate: PeerGate = {
      selfKey: identity.publicKey,
      proof: () => [],
      check: async (peerId, key) => ((await peerIdForKey(key)) !== peerId ? 'invalid' : (verdicts.get(key) ?? null)),
      exclusion: (key) => verdicts.get(key) ?? null,
      recordsFor: () => [],
      signDescription: async (to) => `sig:${id}>${to}`,
      verifyDescription: async (from, _key, sig) => sig === `sig:${from}>${id}`,
    };
    const auth = new SignedSignals(roomId, id, identity);
    const p: Page = { id, key: identity.publicKey, identity, auth, room: roomDoc, peers: [], events: { gone: [], refused: [], packages: [], entries: [] }, verdicts, linksWanted: true } as unknown as Page;
    p.mesh = new MeshSession({
      selfId: id,
      keys,
      auth,
      signaling: hub.socket(() => p.mesh),
      sync: new DocSync(roomDoc.doc),
      gate,
      PeerConnection: FakeRTCPeerConnection,
      localTrack: () => null,
      linksWanted: () => p.linksWanted,
      onPeersChanged: (peers) => (p.peers = peers),
      onGone: (from) => p.events.gone.push(from),
      onRefused: (from, msg) => p.events.refused.push({ from, reason: msg.reason }),
      keyPackage: `package of ${id}`,
      onKeyPackage: (from, pkg) => p.events.packages.push(`${from}: ${pkg}`),
      participantEntry: () => ({ entry: `of ${id}` }),
      onParticipantEntry: (from, entry) => p.events.entries.push(`${from}: ${(entry as { entry: string }).entry}`),
    });
    open.push(p.mesh);
    return p;
  }
  return { hub, keys, roomId, page };
}

/** Real crypto runs off the event loop: turn it until `check` holds (5 s at most, on a loaded machine). */
async function settled(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Sessions of the test that runs, left when it ends. */
const open: MeshSession[] = [];

const pcOf = (from: Page, to: Page) => from.mesh.link(to.id)!.pc as unknown as FakePeerConnection;
const sentBy = (hub: Hub, from: Page, kind: PeerSignal['kind']) => hub.log.filter((l) => l.envelope.from === from.id && l.envelope.msg.kind === kind);

/** Two pages meet through the hub; the one with the greater id dials; the test connects them. */
async function meet(r: Awaited<ReturnType<typeof room>>) {
  const [a, b] = await Promise.all([r.page(), r.page()]);
  const [dialer, answerer] = a.id > b.id ? [a, b] : [b, a];
  await a.mesh.start();
  await b.mesh.start();
  await settled(() => !!answerer.mesh.link(dialer.id) && sentBy(r.hub, answerer, 'description').length > 0, 'the answer');
  await settled(() => pcOf(dialer, answerer).signalingState === 'stable', 'the answer applied');
  fakeConnect(pcOf(dialer, answerer), pcOf(answerer, dialer));
  await settled(() => a.peers.length === 1 && b.peers.length === 1, 'both shown');
  return { a, b, dialer, answerer };
}

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeMediaStream);
  FakePeerConnection.made = [];
});
afterEach(() => {
  vi.useRealTimers();
  for (const mesh of open.splice(0)) mesh.leave();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('MeshSession (real signals and sync, faked sockets and connections)', () => {
  it('two pages announce, the greater id dials with a signed description, and once the channel opens each shows the other and the room document syncs', async () => {
    const r = await room();
    const { a, b, dialer, answerer } = await meet(r);
    expect(sentBy(r.hub, a, 'announce')[0]!.topic).toBe(r.keys.roomTopic);
    // Descriptions go to the recipient's own topic, signed over the SDP by the gate.
    const offer = sentBy(r.hub, dialer, 'description')[0]!;
    expect(offer.topic).toBe(await r.keys.peerTopic(answerer.id));
    expect(offer.envelope.msg).toMatchObject({ kind: 'description', key: dialer.key, sig: `sig:${dialer.id}>${answerer.id}`, description: { type: 'offer' } });
    expect(sentBy(r.hub, answerer, 'description')[0]!.envelope.msg).toMatchObject({ description: { type: 'answer' } });
    expect([a.peers[0]!.id, b.peers[0]!.id]).toEqual([b.id, a.id]);
    expect([a.mesh.keyOf(b.id), a.mesh.linkCount()]).toEqual([b.key, 1]);
    expect(FakePeerConnection.made).toHaveLength(2);

    a.room.sendChat(a.id, 'hello from a');
    await settled(() => b.room.chat().some((m) => m.text === 'hello from a'), 'the document update over the channel');
  });

  it('announces carry the media key package and the participant entry, so a committer has both before the link is up; an excluded peer’s are not passed on', async () => {
    const r = await room();
    const [a, b, removed] = await Promise.all([r.page(), r.page(), r.page()]);
    for (const p of [a, b]) p.verdicts.set(removed.key, 'removed');
    await a.mesh.start();
    await b.mesh.start();
    await removed.mesh.start();
    await settled(() => a.events.packages.length > 0 && b.events.packages.length > 0, 'the packages');
    await settled(() => a.events.refused.length + b.events.refused.length === 0 && removed.events.refused.length >= 2, 'the refusals');
    expect(a.events.packages).toEqual([`${b.id}: package of ${b.id}`]);
    expect(b.events.packages).toEqual([`${a.id}: package of ${a.id}`]);
    expect(a.events.entries).toEqual([`${b.id}: of ${b.id}`]);
    expect(b.events.entries).toEqual([`${a.id}: of ${a.id}`]);
    expect(FakePeerConnection.made.length, 'no link needed for it').toBeLessThanOrEqual(2);
  });

  it('a page that leaves says bye on the channel and the room topic: the other drops the link and calls it gone', async () => {
    const r = await room();
    const { a, b } = await meet(r);
    a.mesh.leave();
    await settled(() => b.events.gone.includes(a.id), 'the bye');
    expect(b.peers).toEqual([]);
    expect(b.mesh.linkCount()).toBe(0);
    expect(a.mesh.linkCount()).toBe(0);
    expect(sentBy(r.hub, a, 'bye')[0]!.topic).toBe(r.keys.roomTopic);
  });

  it('when both say a relay carries them, the link goes and each lists the other as linkless', async () => {
    const r = await room();
    const { a, b } = await meet(r);
    a.linksWanted = false;
    a.mesh.linksWantedChanged();
    await settled(() => b.mesh.linklessPeerIds().includes(a.id), 'a says mesh: false');
    expect(b.mesh.linkCount()).toBe(1); // b still wants links: the link stays
    b.linksWanted = false;
    b.mesh.linksWantedChanged();
    await settled(() => a.mesh.linklessPeerIds().includes(b.id), 'b says mesh: false');
    expect([a.mesh.linkCount(), b.mesh.linkCount()]).toEqual([0, 0]);
    expect(sentBy(r.hub, b, 'announce').at(-1)!.envelope.msg).toMatchObject({ kind: 'announce', mesh: false });
  });

  it('after the records change, a removed peer is refused and its link closed', async () => {
    const r = await room();
    const { a, b } = await meet(r);
    a.verdicts.set(b.key, 'removed');
    a.mesh.enforce();
    expect(a.mesh.linkCount()).toBe(0);
    await settled(() => b.events.refused.length > 0, 'the refusal');
    expect(b.events.refused).toEqual([{ from: a.id, reason: 'removed' }]);
    expect(b.peers).toEqual([]); // the bye on the channel closed b's end too
  });

  it('answers a removed newcomer with a refusal and no link, and drops a description not signed for this pair', async () => {
    const r = await room();
    const [a, b] = await Promise.all([r.page(), r.page()]);
    a.verdicts.set(b.key, 'removed');
    await a.mesh.start();
    await b.mesh.start();
    await settled(() => b.events.refused.length > 0, 'the refusal');
    expect(b.events.refused[0]).toEqual({ from: a.id, reason: 'removed' });
    expect([a.mesh.link(b.id), a.mesh.keyOf(b.id)]).toEqual([undefined, undefined]);

    // c offers a link to a directly: first with a signature that is not c's for a, then with one that is.
    const c = await r.page();
    const signer = new SignalSigner(r.roomId, c.id, c.identity, c.auth.inst);
    const description = { type: 'offer' as const, sdp: 'v=0\r\nm=audio\r\na=fingerprint:sha-256 AA:BB\r\n' };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const to = { peer: a.id, inst: a.auth.inst };
    const aTopic = await r.keys.peerTopic(a.id);
    const made = FakePeerConnection.made.length;
    a.mesh.receive(aTopic, await r.keys.seal(await signer.envelope({ kind: 'description', description, key: c.key, sig: `sig:${c.id}>${b.id}` }, to)));
    a.mesh.receive(aTopic, await r.keys.seal(await signer.envelope({ kind: 'description', description, key: c.key, sig: `sig:${c.id}>${a.id}` }, to)));
    await settled(() => !!a.mesh.link(c.id), 'the genuine offer made a link');
    expect(FakePeerConnection.made.length).toBe(made + 1);
    expect(warn.mock.calls.some(([m]) => String(m).includes(`dropping a description from ${c.id}`))).toBe(true);
    expect(a.mesh.keyOf(c.id)).toBe(c.key);
  });

  it('a failed connection is recovered by the dialing side (ICE restart) and shows as reconnecting while the signaling is probed', async () => {
    const r = await room();
    const { dialer, answerer } = await meet(r);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    pcOf(dialer, answerer).setConnectionState('failed');
    expect(pcOf(dialer, answerer).restarts).toBe(1);
    expect(dialer.peers[0]!.reach).toBe('reconnecting');
    vi.advanceTimersByTime(3_000);
    expect(r.hub.probes).toBeGreaterThanOrEqual(2);
    pcOf(dialer, answerer).setConnectionState('connected');
    expect(dialer.peers[0]!.reach).toBe('connected');
    const probes = r.hub.probes;
    vi.advanceTimersByTime(3_000);
    expect(r.hub.probes).toBe(probes);
    // The polite side only waits: no restart of its own.
    pcOf(answerer, dialer).setConnectionState('failed');
    expect(pcOf(answerer, dialer).restarts).toBe(0);
  });
});
