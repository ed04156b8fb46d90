import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LinkSignal } from '../../../../crdt/protocol/wire';
import type { MediaKind } from '../../../../client/src/media/media-kind';
import { PeerLink, type PeerLinkOptions } from '../../../../client/src/mesh/peer-link';
import { fakeConnect, FakePeerConnection, FakeRTCPeerConnection, FakeTrack, flush } from '../../../support/fake-rtc';

/** One side of a link: the real PeerLink on a fake connection, with what it sent and reported. */
function side(remoteId: string, polite: boolean, extra: Partial<PeerLinkOptions> = {}) {
  const local = { audio: new FakeTrack('audio'), video: new FakeTrack('video'), screen: null as FakeTrack | null };
  const sent: LinkSignal[] = [];
  const tracks: MediaKind[] = [];
  const closed: string[] = [];
  const data: Uint8Array[] = [];
  const states: RTCPeerConnectionState[] = [];
  let opened = 0;
  const link = new PeerLink({
    remoteId,
    polite,
    PeerConnection: FakeRTCPeerConnection,
    localTrack: (kind) => local[kind] as unknown as MediaStreamTrack | null,
    send: (signal) => sent.push(signal),
    onTrack: (_track, kind) => tracks.push(kind),
    onChannelOpen: () => opened++,
    onData: (bytes) => data.push(bytes),
    onClose: (reason) => closed.push(reason),
    onConnectionState: (state) => states.push(state),
    ...extra,
  });
  return { link, pc: link.pc as unknown as FakePeerConnection, local, sent, tracks, closed, data, states, opened: () => opened };
}

const descriptions = (s: { sent: LinkSignal[] }) => s.sent.filter((m): m is LinkSignal & { kind: 'description' } => m.kind === 'description');

/** Carries every description `from` sent since `since` to `to`. */
async function deliver(from: { sent: LinkSignal[] }, to: ReturnType<typeof side>, since = 0): Promise<void> {
  for (const m of from.sent.slice(since)) await to.link.handle(m);
  await flush();
}

/** Alice (impolite) dials Bob and the offer and answer go through. */
async function negotiated() {
  const alice = side('bob', false);
  const bob = side('alice', true);
  alice.link.start();
  await flush();
  await deliver(alice, bob);
  await deliver(bob, alice);
  return { alice, bob };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('PeerLink (perfect negotiation on a fake connection)', () => {
  it('the impolite side offers audio, camera, screen and a channel; the polite side answers on the offered transceivers with its own tracks', async () => {
    vi.useFakeTimers({ now: 1_000, toFake: ['Date'] });
    const alice = side('bob', false);
    const bob = side('alice', true);
    alice.link.start();
    await flush();
    const [offer] = descriptions(alice);
    expect(offer).toMatchObject({ kind: 'description', description: { type: 'offer' }, dial: 1_000 });
    expect(alice.link.dial).toBe(1_000);
    expect(alice.pc.getTransceivers().map((t) => [t.kind, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    expect(alice.pc.channels.map((c) => c.label)).toEqual(['confab']);

    await deliver(alice, bob);
    // The answer adopts the offer's dial and carries bob's tracks on alice's three m-lines (one round trip).
    const [answer] = descriptions(bob);
    expect(answer).toMatchObject({ description: { type: 'answer' }, dial: 1_000 });
    expect(bob.link.dial).toBe(1_000);
    expect(bob.pc.getTransceivers().map((t) => [t.direction, t.sender.track?.id ?? null])).toEqual([
      ['sendrecv', bob.local.audio.id],
      ['sendrecv', bob.local.video.id],
      ['sendrecv', null],
    ]);
    expect(bob.tracks).toEqual(['audio', 'video', 'screen']);
    // The screen keeps its resolution and gives up frames.
    expect(bob.pc.getTransceivers()[2]!.sender.params).toMatchObject({ degradationPreference: 'maintain-resolution' });

    await deliver(bob, alice);
    expect(alice.pc.signalingState).toBe('stable');
    expect(alice.tracks).toEqual(['audio', 'video', 'screen']);
  });

  it('holds candidates until the remote description is set, then adds them in order; drops an early end-of-candidates', async () => {
    const alice = side('bob', false);
    const bob = side('alice', true);
    alice.link.start();
    await flush();
    alice.pc.gather({ candidate: 'candidate:1', sdpMid: '0' });
    alice.pc.gather({ candidate: 'candidate:2', sdpMid: '0' });
    expect(alice.sent.filter((m) => m.kind === 'candidate').map((m) => m.kind === 'candidate' && m.candidate?.candidate)).toEqual(['candidate:1', 'candidate:2']);

    // Candidates and an early end arrive before the offer (signals race on the relay).
    const candidates = alice.sent.filter((m) => m.kind === 'candidate');
    await bob.link.handle(candidates[0]!);
    await bob.link.handle({ kind: 'candidate', candidate: null, dial: alice.link.dial });
    expect(bob.pc.candidates).toEqual([]);
    await deliver(alice, bob);
    expect(bob.pc.candidates.map((c) => c?.candidate)).toEqual(['candidate:1', 'candidate:1', 'candidate:2']);
    await bob.link.handle({ kind: 'candidate', candidate: null, dial: alice.link.dial });
    expect(bob.pc.candidates.at(-1)).toBeUndefined();
  });

  it('in glare (both renegotiate at once), the impolite side ignores the other offer and the polite side yields to it', async () => {
    const { alice, bob } = await negotiated();
    const [aliceBefore, bobBefore] = [descriptions(alice).length, descriptions(bob).length];
    alice.link.restartIce();
    bob.pc.restartIce(); // the polite side's own renegotiation
    await flush();
    const aliceOffer = descriptions(alice).at(-1)!;
    const bobOffer = descriptions(bob).at(-1)!;
    expect([aliceOffer.description.type, bobOffer.description.type]).toEqual(['offer', 'offer']);
    expect(bobOffer.dial).toBe(alice.link.dial); // one connection, one dial

    await alice.link.handle(bobOffer);
    await flush();
    expect(descriptions(alice)).toHaveLength(aliceBefore + 1); // no answer to bob's offer
    expect(alice.pc.signalingState).toBe('have-local-offer');
    await bob.link.handle(aliceOffer);
    await flush();
    expect(descriptions(bob)).toHaveLength(bobBefore + 2);
    const bobAnswer = descriptions(bob).at(-1)!;
    expect(bobAnswer.description.type).toBe('answer');
    await alice.link.handle(bobAnswer);
    await flush();
    expect([alice.pc.signalingState, bob.pc.signalingState]).toEqual(['stable', 'stable']);
  });

  it('ignores the late signals of another connection to the same peer (another dial)', async () => {
    vi.useFakeTimers({ now: 5_000, toFake: ['Date'] });
    const alice = side('bob', false);
    const bob = side('alice', true);
    alice.link.start();
    await flush();
    await deliver(alice, bob);
    const stale: LinkSignal = { kind: 'candidate', candidate: { candidate: 'candidate:old' }, dial: 4_000 };
    await bob.link.handle(stale);
    expect(bob.pc.candidates).toEqual([]);
    await bob.link.handle({ kind: 'candidate', candidate: { candidate: 'candidate:now' }, dial: 5_000 });
    expect(bob.pc.candidates.map((c) => c?.candidate)).toEqual(['candidate:now']);
  });

  it('carries bytes once the channel opens, refuses them before and when too much is queued, and closes once', async () => {
    const { alice, bob } = await negotiated();
    expect(alice.link.sendData(new Uint8Array([1]))).toBe(false);
    fakeConnect(alice.pc, bob.pc);
    expect([alice.opened(), bob.opened()]).toEqual([1, 1]);
    expect(alice.link.channelOpen).toBe(true);
    expect(alice.states).toEqual(['connected']);
    expect(alice.link.sendData(new Uint8Array([1, 2, 3]))).toBe(true);
    await flush();
    expect(bob.data).toEqual([new Uint8Array([1, 2, 3])]);
    alice.pc.channels[0]!.bufferedAmount = 9 * 1024 * 1024;
    expect(alice.link.sendData(new Uint8Array([4]))).toBe(false);

    // The channel closing ends the link (the mesh then forgets it); closing again does nothing.
    bob.pc.channels[0]!.close();
    expect(bob.closed).toEqual(['channel closed']);
    expect(bob.pc.closed).toBe(true);
    bob.link.close('again');
    expect(bob.closed).toEqual(['channel closed']);
    // A closed link applies nothing more.
    await bob.link.handle({ kind: 'candidate', candidate: { candidate: 'late' } });
    expect(bob.pc.candidates.some((c) => c?.candidate === 'late')).toBe(false);
  });

  it('puts a new track on its own transceiver, tunes a shared screen, and restarts ICE when told', async () => {
    const alice = side('bob', false);
    alice.link.start();
    await flush();
    const screen = new FakeTrack('video');
    await alice.link.replaceTrack('screen', screen as unknown as MediaStreamTrack);
    await alice.link.replaceTrack('audio', null);
    const [audio, camera, shared] = alice.pc.getTransceivers();
    expect([audio!.sender.track, camera!.sender.track?.id, shared!.sender.track?.id]).toEqual([null, alice.local.video.id, screen.id]);
    expect(shared!.sender.params.encodings[0]).toMatchObject({ maxFramerate: 10 });
    alice.link.restartIce();
    expect(alice.pc.restarts).toBe(1);
    alice.link.close('done');
    alice.link.restartIce();
    expect(alice.pc.restarts).toBe(1);
    expect(alice.closed).toEqual(['done']);
  });
});
