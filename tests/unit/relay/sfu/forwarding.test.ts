import { describe, expect, it } from 'vitest';
import { parseRelayClientMessage, type RelayServerMessage } from '../../../../crdt/protocol/relay-wire';
import { LoudestSelector } from '../../../../relay/sfu/audio-level';
import { LayerSelector } from '../../../../relay/sfu/layer-selector';
import { StreamRewriter } from '../../../../relay/sfu/rewriter';
import { Room } from '../../../../relay/sfu/room';
import { rtpPayloadOffset, rtpSeq, rtpSsrc, rtpTimestamp } from '../../../../relay/sfu/rtp';
import { ForwardingStats } from '../../../../relay/sfu/stats';
import { isVp8KeyframeStart } from '../../../../relay/sfu/vp8';
import { buildRtp, EXT_AUDIO_LEVEL, vp8Payload } from '../../../load/packet-builder';
import { prng } from '../../../support/prng';
import { fakeDown, fakeUp } from '../../../support/fake-tracks';

const VP8 = 96;
const OPUS = 111;

describe('StreamRewriter', () => {
  it('keeps one SSRC and continuous sequence numbers across seeded source switches', () => {
    const rand = prng(11);
    const rw = new StreamRewriter(0xabc, VP8, 90_000, 65_530);
    const sources = [0, 1, 2].map(() => ({ seq: Math.floor(rand() * 0x10000), ts: Math.floor(rand() * 2 ** 32) }));
    let source = 0;
    let prev: { seq: number; ts: number } | null = null;
    for (let i = 0; i < 3_000; i++) {
      if (rand() < 0.01) source = Math.floor(rand() * 3);
      for (const s of sources) {
        s.seq = (s.seq + 1) & 0xffff;
        s.ts = (s.ts + 4_500) >>> 0;
      }
      const buf = buildRtp({ payloadType: 100, seq: sources[source]!.seq, timestamp: sources[source]!.ts, ssrc: source + 1, payload: new Uint8Array(4) });
      rw.rewrite(buf, source, sources[source]!.seq, sources[source]!.ts, i * 50);
      expect(rtpSsrc(buf)).toBe(0xabc);
      expect(buf[1]! & 0x7f).toBe(VP8);
      if (prev) {
        expect(rtpSeq(buf)).toBe((prev.seq + 1) & 0xffff);
        expect(((rtpTimestamp(buf) - prev.ts) >>> 0) < 90_000).toBe(true);
        expect(rtpTimestamp(buf) !== prev.ts).toBe(true);
      } else expect(rtpSeq(buf)).toBe(65_530);
      prev = { seq: rtpSeq(buf), ts: rtpTimestamp(buf) };
    }
  });

  it('maps reordered packets of one source without moving the stream backwards', () => {
    const rw = new StreamRewriter(1, VP8, 90_000, 100);
    const send = (seq: number) => {
      const buf = buildRtp({ payloadType: VP8, seq, timestamp: seq * 10, ssrc: 9, payload: new Uint8Array(1) });
      rw.rewrite(buf, 0, seq, seq * 10, 0);
      return rtpSeq(buf);
    };
    expect([send(10), send(12), send(11), send(13)]).toEqual([100, 102, 101, 103]);
    expect(rw.upSeqOf(102)).toBe(12);
  });
});

describe('LayerSelector', () => {
  it('switches only on a keyframe of the wanted layer, and to none at once', () => {
    const s = new LayerSelector();
    expect(s.want(0)).toBe(true);
    expect(s.accept(0, false)).toBe(false);
    expect(s.accept(0, true)).toBe(true);
    expect(s.want(2)).toBe(true);
    expect(s.accept(2, false)).toBe(false);
    expect(s.accept(0, false)).toBe(true); // keeps the old layer meanwhile
    expect(s.accept(2, true)).toBe(true);
    expect(s.accept(0, false)).toBe(false);
    expect(s.want(-1)).toBe(false);
    expect(s.accept(2, false)).toBe(false);
  });
});

describe('LoudestSelector', () => {
  it('ranks by smoothed level, leaves out silence and the listener, and does not flap', () => {
    const l = new LoudestSelector();
    for (let s = 0; s < 6; s++) l.add(s);
    const levels = [30, 10, 127, 50, 20, 127]; // 0 is loudest, 127 silence
    for (let i = 0; i < 100; i++) levels.forEach((level, s) => l.observe(s, level));
    l.rank();
    expect(l.ranking).toEqual([1, 4, 0, 3]);
    expect(l.loudestFor(4, 3)).toEqual([1, 0, 3]);
    for (let i = 0; i < 100; i++) [31, 10, 127, 29, 20, 127].forEach((level, s) => l.observe(s, level));
    l.rank();
    expect(l.ranking.slice(0, 3)).toEqual([1, 4, 0]); // 3 is barely louder than 0 now: hysteresis keeps 0
  });
});

/** A publisher's three layers as a stream of packets with keyframes, and fake tracks that record. */
function participant(room: Room, id: string, tiles = 2, audio = 3) {
  const messages: RelayServerMessage[] = [];
  const p = room.join(id, { send: (m) => messages.push(m) });
  const up = { audio: fakeUp(), video: [fakeUp(), fakeUp(), fakeUp()] };
  room.publish(p, { ...up, audioPayloadType: OPUS, videoPayloadType: VP8, audioLevelExtensionId: EXT_AUDIO_LEVEL });
  const down = { video: Array.from({ length: tiles }, (_, i) => ({ track: fakeDown(), ssrc: 1000 + i })), audio: Array.from({ length: audio }, (_, i) => ({ track: fakeDown(), ssrc: 2000 + i })) };
  room.attachDown(p, down);
  return { p, up, down, messages };
}
const lastPause = (who: { messages: RelayServerMessage[] }) => who.messages.filter((m) => m.type === 'pause').at(-1);

function videoPacket(layerSeq: number, keyframe: boolean, start = true) {
  return buildRtp({ payloadType: VP8, seq: layerSeq, timestamp: layerSeq * 3000, ssrc: 5, payload: vp8Payload({ start, keyframe }) });
}

describe('Room forwarding', () => {
  it('gives each tile a keyframe-started continuous stream across seeded layer changes, and pauses unwatched layers', () => {
    const rand = prng(3);
    const room = new Room(new ForwardingStats(), { random: () => 0.5 });
    const alice = participant(room, 'alice');
    const bob = participant(room, 'bob');
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] });
    expect(room.subscribe(bob.p, 0, 'alice', 'low', 0)).toBeNull();
    expect(alice.up.video[0]!.keyframes).toBe(1);
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['mid', 'high'] });
    const seqs = [0, 1000, 2000];
    let now = 0;
    for (let i = 0; i < 2_000; i++) {
      now += 10;
      if (rand() < 0.01) room.subscribe(bob.p, 0, 'alice', (['low', 'mid', 'high'] as const)[Math.floor(rand() * 3)]!, now);
      for (const layer of [0, 1, 2] as const) room.onUpVideo(alice.p, layer, videoPacket(seqs[layer]!++, rand() < 0.02), now);
      if (i % 20 === 0) room.tick(now);
    }
    const got = (bob.down.video[0]!.track as ReturnType<typeof fakeDown>).packets;
    expect(got.length).toBeGreaterThan(500);
    const first = got[0]!;
    expect(isVp8KeyframeStart(first, rtpPayloadOffset(first), first.length)).toBe(true);
    for (let i = 1; i < got.length; i++) {
      expect(rtpSeq(got[i]!)).toBe((rtpSeq(got[i - 1]!) + 1) & 0xffff);
      expect(rtpSsrc(got[i]!)).toBe(1000);
    }
    expect(room.subscribe(bob.p, 0, 'alice', 'none', now)).toBeNull();
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] });
  });

  it('keeps every subscriber continuous when they share a packet and their order changes', () => {
    const rand = prng(5);
    const room = new Room(new ForwardingStats(), { random: () => rand() });
    const alice = participant(room, 'alice');
    const viewers = ['bob', 'carol', 'dave'].map((id) => participant(room, id));
    for (const v of viewers) room.subscribe(v.p, 0, 'alice', 'low', 0);
    let seq = 100;
    let now = 0;
    for (let round = 0; round < 300; round++) {
      now += 20;
      if (round % 50 === 0) {
        // Re-subscribing reorders alice's watchers; a switch to 'none' and back restarts one tile.
        const v = viewers[Math.floor(rand() * 3)]!;
        room.subscribe(v.p, 0, 'alice', 'none', now);
        room.subscribe(v.p, 0, 'alice', 'low', now);
      }
      room.onUpVideo(alice.p, 0, videoPacket(seq++, round % 10 === 0), now);
    }
    for (const v of viewers) {
      const got = (v.down.video[0]!.track as ReturnType<typeof fakeDown>).packets;
      expect(got.length).toBeGreaterThan(100);
      for (let i = 1; i < got.length; i++) expect(rtpSeq(got[i]!)).toBe((rtpSeq(got[i - 1]!) + 1) & 0xffff);
    }
  });

  it('answers a NACK from the cache with the same down sequence number', () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const alice = participant(room, 'alice');
    const bob = participant(room, 'bob');
    room.subscribe(bob.p, 0, 'alice', 'high', 0);
    for (let s = 0; s < 10; s++) room.onUpVideo(alice.p, 2, videoPacket(500 + s, s === 0), s);
    const track = bob.down.video[0]!.track as ReturnType<typeof fakeDown>;
    const lost = track.packets[4]!;
    const nack = new Uint8Array([0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0x03, 0xe8, 0, rtpSeq(lost), 0, 0]);
    room.onDownRtcp(bob.p, nack, 20);
    expect(track.packets.length).toBe(11);
    expect(track.packets[10]).toEqual(lost);
  });

  it('forwards the loudest three voices, never the listener own, never silence', () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const people = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => participant(room, id));
    const levels = [5, 127, 40, 10, 20, 60];
    let seq = 0;
    for (let round = 0; round < 100; round++) {
      people.forEach(({ p }, i) =>
        room.onUpAudio(p, buildRtp({ payloadType: OPUS, seq: seq++, timestamp: seq * 960, ssrc: 7, extensions: [{ id: EXT_AUDIO_LEVEL, data: [levels[i]!] }], payload: new Uint8Array(30) }), round * 20),
      );
      if (round % 10 === 0) room.tick(round * 20);
    }
    const speakers = (who: (typeof people)[number]) => who.messages.filter((m) => m.type === 'speakers').at(-1);
    expect(speakers(people[5]!)).toEqual({ type: 'speakers', slots: ['a', 'd', 'e'] });
    expect(speakers(people[0]!)).toEqual({ type: 'speakers', slots: ['d', 'e', 'c'] });
    const heard = people[5]!.down.audio.map((s) => (s.track as ReturnType<typeof fakeDown>).packets.length);
    expect(heard.every((n) => n > 50)).toBe(true);
    expect(people[1]!.p.audioTargets).toEqual([]); // silent: forwarded to nobody
  });

  it('a pinned voice is heard though not among the loudest, in the last slot; a silent one is not', () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const people = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => participant(room, id));
    const levels = [5, 127, 40, 10, 20, 60]; // f is the quietest who speaks; b is silent
    let seq = 0;
    const speak = (rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        people.forEach(({ p }, i) =>
          room.onUpAudio(p, buildRtp({ payloadType: OPUS, seq: seq++, timestamp: seq * 960, ssrc: 7, extensions: [{ id: EXT_AUDIO_LEVEL, data: [levels[i]!] }], payload: new Uint8Array(30) }), round * 20),
        );
        if (round % 10 === 0) room.tick(round * 20);
      }
    };
    const speakers = (who: (typeof people)[number]) => who.messages.filter((m) => m.type === 'speakers').at(-1);
    speak(100);
    expect(speakers(people[0]!)).toEqual({ type: 'speakers', slots: ['d', 'e', 'c'] });
    people[0]!.p.pinned = 'f';
    speak(20);
    expect(speakers(people[0]!)).toEqual({ type: 'speakers', slots: ['d', 'e', 'f'] });
    expect(speakers(people[3]!)).toEqual({ type: 'speakers', slots: ['a', 'e', 'c'] }); // only the pinner's slots change
    people[0]!.p.pinned = 'b';
    speak(20);
    expect(speakers(people[0]!)).toEqual({ type: 'speakers', slots: ['d', 'e', 'c'] });
    // What a page sends to pin: checked like every control message.
    const pin = (publisher: unknown) => parseRelayClientMessage(JSON.stringify({ type: 'pin', publisher }));
    expect(pin('f')).toEqual({ type: 'pin', publisher: 'f' });
    expect(pin(null)).toEqual({ type: 'pin', publisher: null });
    expect(pin(7)).toBeNull();
    expect(pin('x'.repeat(129))).toBeNull();
  });

  it('frees tiles and voices when a publisher leaves', () => {
    const room = new Room(new ForwardingStats());
    const alice = participant(room, 'alice');
    const bob = participant(room, 'bob');
    room.subscribe(bob.p, 1, 'alice', 'mid', 0);
    room.leave(alice.p);
    room.tick(10);
    // Someone new under the same id fills no slot of bob's until bob asks again.
    const again = participant(room, 'alice');
    room.onUpVideo(again.p, 1, videoPacket(1, true), 20);
    expect((bob.down.video[1]!.track as ReturnType<typeof fakeDown>).packets).toEqual([]);
    expect(room.subscribe(bob.p, 1, 'alice', 'mid', 0)).toBeNull();
    room.leave(again.p);
    expect(room.subscribe(bob.p, 1, 'alice', 'mid', 0)).toBe('no publisher alice');
    expect(room.subscribe(bob.p, 9, 'bob', 'mid', 0)).toBe('no video slot 9');
  });

  it('tells everyone who publishes, as people publish and leave', () => {
    const room = new Room(new ForwardingStats());
    const alice = participant(room, 'alice');
    const bob = participant(room, 'bob');
    const carol = participant(room, 'carol');
    const roster = (who: typeof alice) => who.messages.filter((m) => m.type === 'publishers').at(-1);
    expect(roster(alice)).toEqual({ type: 'publishers', peers: ['alice', 'bob', 'carol'] });
    room.leave(bob.p);
    expect(roster(alice)).toEqual({ type: 'publishers', peers: ['alice', 'carol'] });
    expect(roster(carol)).toEqual({ type: 'publishers', peers: ['alice', 'carol'] });
  });
});
