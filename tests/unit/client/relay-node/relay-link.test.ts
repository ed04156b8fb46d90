import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RELAY_PROTOCOL_VERSION, type RelayRefusal } from '../../../../crdt/protocol/relay-wire';
import { ROOM_CHANNEL_LABEL } from '../../../../crdt/protocol/room-message-frame';
import { RelayLink, type RelayLinkState } from '../../../../client/src/relay-node/relay-link';
import { FakePeerConnection, FakeRTCPeerConnection, FakeTrack, FakeWebSocket, FakeWebSocketClass } from '../../../support/fake-rtc';

const VP8 = { mimeType: 'video/VP8' };

/** The real RelayLink on a fake connection and a fake control socket the test answers as the relay would. */
function relayLink() {
  const records: { sig: string }[] = [{ sig: 'r1' }, { sig: 'r2' }];
  let recordsChanged = () => {};
  const said = { states: [] as RelayLinkState[], publishers: [] as string[][], speakers: [] as (string | null)[][], refused: [] as [RelayRefusal, unknown[]][], proved: [] as string[][] };
  const camera = new FakeTrack('video');
  const link = new RelayLink({
    url: 'ws://relay.example/relay',
    room: 'room topic',
    selfId: 'me',
    credentials: {
      prove: async (nonce, room, peer) => {
        said.proved.push([nonce, room, peer]);
        return { key: 'KEY', proof: 'PROOF', gate: 'GATE', access: 'ACCESS' };
      },
      records: () => records,
      onRecords: (cb) => {
        recordsChanged = cb;
        return () => (recordsChanged = () => {});
      },
      refused: (reason, recs) => said.refused.push([reason, recs]),
    },
    localTrack: (kind) => (kind === 'video' ? (camera as unknown as MediaStreamTrack) : null),
    PeerConnection: FakeRTCPeerConnection,
    WebSocketImpl: FakeWebSocketClass,
    videoSlots: 2,
    audioSlots: 1,
    onPublishers: (peers) => said.publishers.push(peers),
    onSpeakers: (slots) => said.speakers.push(slots),
    onState: (state) => said.states.push(state),
  });
  const pc = link.pc as unknown as FakePeerConnection;
  return { link, pc, said, records, camera, recordsChanged: () => recordsChanged() };
}

async function turn(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Runs start() through welcome, hello and connect up to the relay's answer. */
async function connected(r: ReturnType<typeof relayLink>, welcome: Record<string, unknown> = { screen: true }) {
  const started = r.link.start();
  const ws = FakeWebSocket.made.at(-1)!;
  ws.open();
  ws.receive({ type: 'welcome', v: 2, nonce: 'NONCE', maxVideoSlots: 25, maxAudioSlots: 5, ...welcome });
  await turn();
  r.pc.gather(null);
  await turn();
  ws.receive({ type: 'answer', sdp: 'v=0\r\nanswer\r\n', video: [], audio: [] });
  await started;
  return ws;
}

beforeEach(() => {
  FakeWebSocket.made = [];
  vi.stubGlobal('RTCRtpReceiver', { getCapabilities: () => ({ codecs: [{ mimeType: 'video/H264' }, VP8] }) });
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('RelayLink (fake connection and control socket)', () => {
  it('publishes audio, three paused camera layers and a paused screen, receives on fixed slots, and negotiates the room channel with them', () => {
    const { pc, camera } = relayLink();
    const t = pc.getTransceivers();
    expect(t.map((x) => [x.kind, x.direction])).toEqual([
      ['audio', 'sendonly'],
      ['video', 'sendonly'],
      ['video', 'sendonly'],
      ['video', 'sendonly'],
      ['video', 'sendonly'],
      ['video', 'recvonly'],
      ['video', 'recvonly'],
      ['audio', 'recvonly'],
    ]);
    expect(t.slice(1, 4).map((x) => x.sender.params.encodings[0])).toEqual([
      { scaleResolutionDownBy: 4, active: false },
      { scaleResolutionDownBy: 2, active: false },
      { scaleResolutionDownBy: 1, active: false },
    ]);
    expect(t.slice(1, 4).every((x) => x.sender.track === camera)).toBe(true);
    expect(t[4]!.sender.params.encodings[0]).toEqual({ active: false });
    // The relay forwards VP8 only: every video transceiver prefers it.
    expect(t.filter((x) => x.kind === 'video').every((x) => JSON.stringify(x.codecs) === JSON.stringify([VP8]))).toBe(true);
    expect(pc.channels.map((c) => c.label)).toEqual([ROOM_CHANNEL_LABEL]);
    expect(pc.config).toMatchObject({ bundlePolicy: 'max-bundle' });
  });

  it('hello proves the key over the welcome nonce, the records follow, then connect names every m-line; subscriptions wait for the answer', async () => {
    const r = relayLink();
    r.link.subscribe(0, 'p1', 'low');
    const ws = await connected(r);
    expect(ws.url).toBe('ws://relay.example/relay?room=room%20topic');
    expect(r.said.proved).toEqual([['NONCE', 'room topic', 'me']]);
    const frames = ws.frames();
    expect(frames.map((f) => f.type)).toEqual(['hello', 'control', 'connect', 'subscribe']);
    expect(frames[0]).toEqual({ type: 'hello', v: RELAY_PROTOCOL_VERSION, room: 'room topic', peer: 'me', key: 'KEY', proof: 'PROOF', gate: 'GATE', access: 'ACCESS' });
    expect(frames[1]).toEqual({ type: 'control', records: r.records });
    expect(frames[2]).toMatchObject({ type: 'connect', layout: { audio: '0', video: { low: '1', mid: '2', high: '3' }, screen: '4', downVideo: ['5', '6'], downAudio: ['7'] } });
    expect(frames[3]).toEqual({ type: 'subscribe', tile: 0, publisher: 'p1', layer: 'low' });
    expect(r.pc.remoteDescription).toEqual({ type: 'answer', sdp: 'v=0\r\nanswer\r\n' });
    expect(r.link.forwardsScreens).toBe(true);

    // After the answer: at once. Only records the relay does not have yet.
    r.link.subscribe(1, 'p2', 'high', 'screen');
    r.link.pin('p2');
    r.records.push({ sig: 'r3' });
    r.recordsChanged();
    expect(ws.frames().slice(4)).toEqual([
      { type: 'subscribe', tile: 1, publisher: 'p2', layer: 'high', source: 'screen' },
      { type: 'pin', publisher: 'p2' },
      { type: 'control', records: [{ sig: 'r3' }] },
    ]);
  });

  it('a relay that does not forward screens gets no screen m-line, and our screen stays paused', async () => {
    const r = relayLink();
    const ws = await connected(r, {});
    expect(ws.frames().find((f) => f.type === 'connect')!.layout).not.toHaveProperty('screen');
    ws.receive({ type: 'pause', layers: [] });
    await turn();
    expect(r.link.screenActive).toBe(false);
  });

  it('pause turns encodings off and on; publishers, speakers and refusals reach the session', async () => {
    const r = relayLink();
    const ws = await connected(r);
    ws.receive({ type: 'pause', layers: ['low', 'screen'] });
    await turn();
    const active = () => r.pc.getTransceivers().slice(1, 5).map((t) => t.sender.params.encodings[0]!.active);
    expect(active()).toEqual([false, true, true, false]);
    ws.receive({ type: 'pause', layers: ['mid', 'high'] });
    await turn();
    expect(active()).toEqual([true, false, false, true]);
    expect(r.link.screenActive).toBe(true);

    ws.receive({ type: 'publishers', peers: ['me', 'p1'] });
    ws.receive({ type: 'speakers', slots: ['p1'] });
    ws.receive({ type: 'refused', reason: 'removed', records: [{ sig: 'x' }] });
    ws.receive('not json');
    ws.receive({ type: 'something new' });
    expect(r.said.publishers).toEqual([['me', 'p1']]);
    expect(r.said.speakers).toEqual([['p1']]);
    expect(r.said.refused).toEqual([['removed', [{ sig: 'x' }]]]);
  });

  it('the connection’s state drives the link’s: connected, failed after a quiet spell, and closed for good', async () => {
    const r = relayLink();
    const ws = await connected(r);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    r.pc.setConnectionState('connected');
    r.pc.setConnectionState('disconnected');
    vi.advanceTimersByTime(2_000);
    r.pc.setConnectionState('connected'); // back in time
    vi.advanceTimersByTime(5_000);
    expect(r.said.states).toEqual(['connected']);
    r.pc.setConnectionState('disconnected');
    vi.advanceTimersByTime(2_500);
    expect(r.said.states).toEqual(['connected', 'failed']);

    r.link.close();
    expect(r.said.states).toEqual(['connected', 'failed', 'closed']);
    expect(ws.frames().at(-1)).toEqual({ type: 'bye' });
    expect([ws.readyState, r.pc.closed]).toEqual([3, true]);
    r.pc.setConnectionState('failed');
    expect(r.said.states.at(-1)).toBe('closed');
  });

  it('start fails when the socket closes first, or the relay answers before its welcome', async () => {
    const a = relayLink();
    const first = a.link.start();
    const ws = FakeWebSocket.made.at(-1)!;
    ws.open();
    ws.close();
    await expect(first).rejects.toThrow(/closed the control socket/);
    expect(a.said.states).toEqual(['failed']);

    const b = relayLink();
    const second = b.link.start();
    const ws2 = FakeWebSocket.made.at(-1)!;
    ws2.open();
    ws2.receive({ type: 'answer', sdp: 'v=0', video: [], audio: [] });
    await expect(second).rejects.toThrow(/answered before its welcome/);
    expect(ws2.frames()).toEqual([]); // no hello to a relay that skipped the nonce
  });
});
