/**
 * Bundled into a blank page by negotiation.test.ts: two PeerLinks in one Chromium page, joined
 * by an in-page signal path the test can reorder and delay, to prove the negotiation logic
 * with real RTCPeerConnections.
 */
import type { LinkSignal } from '../../crdt/protocol/wire';
import { PeerLink } from '../../client/src/mesh/peer-link';
import { sleep, until } from '../support/wait';

interface Side {
  link: PeerLink;
  received: string[];
  tracks: number;
}



/** Offer/answer with the polite side's offer held back until after its candidates. */
async function connectPair(opts: { holdOfferMs: number }): Promise<{ a: Side; b: Side }> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const track = (kind: string) => stream.getTracks().find((t) => t.kind === kind) ?? null;
  const sides: Record<'a' | 'b', Side> = {} as never;
  let offersHeld = 0;
  const make = (self: 'a' | 'b', other: 'a' | 'b', polite: boolean) => {
    const side: Side = { received: [], tracks: 0, link: null as unknown as PeerLink };
    side.link = new PeerLink({
      remoteId: other,
      polite,
      localTrack: (kind) => track(kind),
      send: (signal: LinkSignal) => {
        const copy = JSON.parse(JSON.stringify(signal)) as LinkSignal;
        const isFirstOffer = copy.kind === 'description' && copy.description.type === 'offer' && offersHeld++ === 0;
        setTimeout(() => void sides[other].link.handle(copy), isFirstOffer ? opts.holdOfferMs : 0);
      },
      onTrack: () => side.tracks++,
      onData: (bytes) => side.received.push(new TextDecoder().decode(bytes)),
    });
    sides[self] = side;
  };
  make('a', 'b', false);
  make('b', 'a', true);
  sides.a.link.start();
  await until(() => sides.a.link.channelOpen && sides.b.link.channelOpen, 'data channel open', 10_000);
  return sides;
}

async function framesDecoded(pc: RTCPeerConnection): Promise<number> {
  let frames = 0;
  (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
  });
  return frames;
}

async function basicCall(holdOfferMs: number) {
  const { a, b } = await connectPair({ holdOfferMs });
  await until(() => a.tracks === 3 && b.tracks === 3, 'tracks both ways (audio, camera, screen slot)', 10_000);
  a.link.sendData(new TextEncoder().encode('ping from a'));
  b.link.sendData(new TextEncoder().encode('ping from b'));
  await until(() => a.received.length === 1 && b.received.length === 1, 'data both ways', 10_000);
  const deadline = performance.now() + 10_000;
  let fa = 0;
  let fb = 0;
  while ((fa === 0 || fb === 0) && performance.now() < deadline) {
    [fa, fb] = await Promise.all([framesDecoded(a.link.pc), framesDecoded(b.link.pc)]);
    await sleep(50);
  }
  const remoteCandidateTypesAtB = new Set<string>();
  (await b.link.pc.getStats()).forEach((r: { type: string; candidateType?: string }) => {
    if (r.type === 'remote-candidate' && r.candidateType) remoteCandidateTypesAtB.add(r.candidateType);
  });
  const result = {
    remoteCandidateTypesAtB: [...remoteCandidateTypesAtB],
    framesAtA: fa,
    framesAtB: fb,
    received: [...a.received, ...b.received],
    mids: [a.link.pc.getTransceivers().length, b.link.pc.getTransceivers().length],
  };
  a.link.close();
  b.link.close();
  return result;
}

/** Both sides renegotiate at the same moment: their offers cross (glare). */
async function glare() {
  const { a, b } = await connectPair({ holdOfferMs: 0 });
  const camera = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]!;
  a.link.pc.addTransceiver(camera.clone(), { direction: 'sendrecv' });
  b.link.pc.addTransceiver(camera.clone(), { direction: 'sendrecv' });
  const negotiated = (pc: RTCPeerConnection) => pc.getTransceivers().filter((t) => t.mid !== null).length;
  await until(
    () =>
      negotiated(a.link.pc) === 5 &&
      negotiated(b.link.pc) === 5 &&
      a.link.pc.signalingState === 'stable' &&
      b.link.pc.signalingState === 'stable',
    'both offers applied',
    10_000,
  );
  a.link.sendData(new TextEncoder().encode('after glare'));
  await until(() => b.received.includes('after glare'), 'data after glare', 10_000);
  const result = {
    states: [a.link.pc.connectionState, b.link.pc.connectionState],
    negotiated: [negotiated(a.link.pc), negotiated(b.link.pc)],
    received: b.received,
  };
  a.link.close();
  b.link.close();
  return result;
}

/** Garbage descriptions and candidates from a peer: refused, logged, and the call goes on. */
async function malformedSignals() {
  const { a, b } = await connectPair({ holdOfferMs: 0 });
  await b.link.handle({ kind: 'description', description: { type: 'offer', sdp: 'v=0\r\nthis is not sdp' } });
  await a.link.handle({ kind: 'description', description: { type: 'answer', sdp: '' } });
  await b.link.handle({ kind: 'candidate', candidate: { candidate: 'candidate:garbage', sdpMid: '99' } });
  a.link.sendData(new TextEncoder().encode('still here'));
  await until(() => b.received.includes('still here'), 'data after garbage', 10_000);
  const result = { states: [a.link.pc.connectionState, b.link.pc.connectionState], signaling: [a.link.pc.signalingState, b.link.pc.signalingState] };
  a.link.close();
  b.link.close();
  return result;
}

/**
 * Network trouble tools: an ICE restart on a live call renegotiates and the call goes on;
 * descriptions and candidates of another connection (another `dial`) are ignored.
 */
async function restartAndStaleDial() {
  const { a, b } = await connectPair({ holdOfferMs: 0 });
  const ufrag = (pc: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
  const before = ufrag(a.link.pc);
  a.link.restartIce();
  await until(() => ufrag(a.link.pc) !== before && a.link.pc.signalingState === 'stable' && b.link.pc.signalingState === 'stable', 'ICE restart negotiated', 10_000);
  a.link.sendData(new TextEncoder().encode('after restart'));
  await until(() => b.received.includes('after restart'), 'data after ICE restart', 10_000);
  // A perfectly valid offer of A's (an ICE restart it never sent), tagged with an older dial,
  // as a delayed signal of a replaced connection would be: B must not apply it.
  const stale = await a.link.pc.createOffer({ iceRestart: true });
  const staleUfrag = /a=ice-ufrag:(\S+)/.exec(stale.sdp ?? '')?.[1];
  await b.link.handle({ kind: 'description', description: { type: 'offer', sdp: stale.sdp! }, dial: a.link.dial! - 1 });
  await b.link.handle({ kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.9 9 typ host', sdpMid: '0' }, dial: a.link.dial! - 1 });
  await sleep(300);
  const remoteUfragAtB = /a=ice-ufrag:(\S+)/.exec(b.link.pc.remoteDescription?.sdp ?? '')?.[1];
  a.link.sendData(new TextEncoder().encode('after stale'));
  await until(() => b.received.includes('after stale'), 'data after stale signals', 10_000);
  const result = {
    restarted: ufrag(a.link.pc) !== before,
    staleIgnored: staleUfrag !== undefined && remoteUfragAtB !== staleUfrag,
    sameDial: a.link.dial === b.link.dial,
    states: [a.link.pc.connectionState, b.link.pc.connectionState],
    signaling: [a.link.pc.signalingState, b.link.pc.signalingState],
  };
  a.link.close();
  b.link.close();
  return result;
}

Object.assign(window, { negotiationLab: { basicCall, glare, malformedSignals, restartAndStaleDial } });
