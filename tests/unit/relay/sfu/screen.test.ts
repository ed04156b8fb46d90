import { describe, expect, it } from 'vitest';
import { parseRelayClientMessage, type RelayServerMessage } from '../../../../crdt/protocol/relay-wire';
import { LAYER_SCREEN } from '../../../../relay/sfu/interfaces';
import { Room } from '../../../../relay/sfu/room';
import { rtpPayloadOffset, rtpSeq, rtpSsrc, rtpTimestamp } from '../../../../relay/sfu/rtp';
import { ForwardingStats } from '../../../../relay/sfu/stats';
import { isVp8KeyframeStart } from '../../../../relay/sfu/vp8';
import { buildRtp, EXT_AUDIO_LEVEL, vp8Payload } from '../../../load/packet-builder';
import { prng } from '../../../support/prng';
import { fakeDown, fakeUp } from '../../../support/fake-tracks';

/** The shared screen through the relay (PROTOCOL.md, "Relay node media plane"): a fourth up video stream, forwarded into a slot of its own. */

const VP8 = 96;
const OPUS = 111;

/** A participant publishing camera layers and, with `screen`, a screen up stream too. */
function participant(room: Room, id: string, screen: boolean) {
  const messages: RelayServerMessage[] = [];
  const p = room.join(id, { send: (m) => messages.push(m) });
  const up = { audio: fakeUp(), video: [fakeUp(), fakeUp(), fakeUp(), screen ? fakeUp() : null] };
  room.publish(p, { ...up, audioPayloadType: OPUS, videoPayloadType: VP8, audioLevelExtensionId: EXT_AUDIO_LEVEL });
  const down = { video: [0, 1].map((i) => ({ track: fakeDown(), ssrc: 1000 + i })), audio: [{ track: fakeDown(), ssrc: 2000 }] };
  room.attachDown(p, down);
  const slot = (i: number) => down.video[i]!.track;
  return { p, up, slot, messages };
}
const lastPause = (who: { messages: RelayServerMessage[] }) => who.messages.filter((m) => m.type === 'pause').at(-1);
/** One frame a packet, 6000 ticks apart (15 fps), from sequence number `seq`. */
const packet = (seq: number, keyframe: boolean, ssrc: number, timestamp = seq * 6000) =>
  buildRtp({ payloadType: VP8, seq, timestamp, ssrc, payload: vp8Payload({ start: true, keyframe }) });

describe('screen share through the relay', () => {
  it('forwards a screen up stream into the subscriber slot, from a keyframe on, rewritten to the slot and apart from the camera', () => {
    const rand = prng(21);
    const stats = new ForwardingStats();
    const room = new Room(stats, { random: () => 0.25 });
    const alice = participant(room, 'alice', true);
    const bob = participant(room, 'bob', false);
    // Nobody watches anything yet: the camera layers and the screen start paused.
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high', 'screen'] });
    // Bob has no screen m-line: his pause never names one.
    expect(lastPause(bob)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] });

    expect(room.subscribe(bob.p, 0, 'alice', 'low', 0)).toBeNull();
    expect(room.subscribe(bob.p, 1, 'alice', 'high', 0, 'screen')).toBeNull();
    expect(alice.up.video[LAYER_SCREEN]!.keyframes).toBe(1); // a PLI to the screen, not to a camera layer
    expect(alice.up.video[2]!.keyframes).toBe(0);
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['mid', 'high'] });

    let cameraSeq = 40_000;
    let screenSeq = 65_500; // wraps during the run
    const screenIn: Buffer[] = [];
    let now = 0;
    for (let i = 0; i < 600; i++) {
      now += 10;
      room.onUpVideo(alice.p, 0, packet(cameraSeq++, i % 50 === 0, 0xc0), now);
      // The screen's first packets are delta frames: not forwarded until its keyframe.
      const screen = packet(screenSeq++ & 0xffff, i === 5 || rand() < 0.02, 0x5c, (0xfffff000 + i * 6000) >>> 0);
      screenIn.push(Buffer.from(screen));
      room.onUpVideo(alice.p, LAYER_SCREEN, screen, now);
      if (i % 20 === 0) room.tick(now);
    }
    const got = bob.slot(1).packets;
    expect(got.length).toBe(595);
    expect(isVp8KeyframeStart(got[0]!, rtpPayloadOffset(got[0]!), got[0]!.length)).toBe(true);
    expect(rtpSeq(got[0]!)).toBe(0x4000); // the slot's own first sequence number (random 0.25)
    for (let i = 0; i < got.length; i++) {
      expect(rtpSsrc(got[i]!)).toBe(1001);
      expect(got[i]![1]! & 0x7f).toBe(VP8);
      if (i > 0) {
        expect(rtpSeq(got[i]!)).toBe((rtpSeq(got[i - 1]!) + 1) & 0xffff);
        expect((rtpTimestamp(got[i]!) - rtpTimestamp(got[i - 1]!)) >>> 0).toBe(6000);
      }
      // Payload untouched (the relay never reads past the VP8 descriptor).
      expect(got[i]!.subarray(12)).toEqual(screenIn[i + 5]!.subarray(12));
    }
    // The camera went to its own slot only, and never into the screen slot.
    expect(bob.slot(0).packets.length).toBe(600);
    expect(bob.slot(0).packets.every((p) => rtpSsrc(p) === 1000)).toBe(true);
    expect({ in: stats.screenPacketsIn, out: stats.screenPacketsOut }).toEqual({ in: 600, out: 595 });

    // A NACK for the screen slot is answered from the screen's own cache, same down sequence number.
    const lost = got[590]!;
    room.onDownRtcp(bob.p, new Uint8Array([0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0x03, 0xe9, rtpSeq(lost) >> 8, rtpSeq(lost) & 0xff, 0, 0]), now);
    expect(got.at(-1)).toEqual(lost);
    // A PLI from the screen slot goes to the screen up stream.
    room.onDownRtcp(bob.p, new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0x03, 0xe9]), now + 1_000);
    expect(alice.up.video[LAYER_SCREEN]!.keyframes).toBe(2);
  });

  it('pauses the screen when nobody watches it any more, and forwards nothing of it then', () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const alice = participant(room, 'alice', true);
    const bob = participant(room, 'bob', true);
    const carol = participant(room, 'carol', false);
    room.subscribe(bob.p, 1, 'alice', 'high', 0, 'screen');
    room.subscribe(carol.p, 0, 'alice', 'high', 0, 'screen');
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] });
    let seq = 1;
    for (let i = 0; i < 10; i++) room.onUpVideo(alice.p, LAYER_SCREEN, packet(seq++, i === 0, 1), i);
    expect(bob.slot(1).packets.length).toBe(10);
    expect(carol.slot(0).packets.length).toBe(10);

    room.subscribe(bob.p, 1, 'alice', 'none', 20, 'screen');
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] }); // carol still watches
    room.subscribe(carol.p, 0, 'alice', 'none', 20, 'screen');
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high', 'screen'] });
    for (let i = 0; i < 10; i++) room.onUpVideo(alice.p, LAYER_SCREEN, packet(seq++, i === 0, 1), 30 + i);
    expect(bob.slot(1).packets.length).toBe(10);
    expect(carol.slot(0).packets.length).toBe(10);
    room.tick(50);

    // A screen subscription to someone not sharing waits (no track to ask): nothing is forwarded, nothing breaks.
    expect(room.subscribe(alice.p, 0, 'carol', 'high', 60, 'screen')).toBeNull();
    expect(carol.up.video[2]!.keyframes).toBe(0);
  });

  it('switches one slot from a camera to a screen on the screen keyframe, continuously', () => {
    const room = new Room(new ForwardingStats(), { random: () => 0 });
    const alice = participant(room, 'alice', true);
    const bob = participant(room, 'bob', false);
    room.subscribe(bob.p, 0, 'alice', 'mid', 0);
    let cam = 100;
    let scr = 9_000;
    for (let i = 0; i < 5; i++) room.onUpVideo(alice.p, 1, packet(cam++, i === 0, 2), i);
    room.subscribe(bob.p, 0, 'alice', 'high', 10, 'screen');
    room.onUpVideo(alice.p, LAYER_SCREEN, packet(scr++, false, 3), 11); // not a keyframe: the camera stays
    room.onUpVideo(alice.p, 1, packet(cam++, false, 2), 12);
    room.onUpVideo(alice.p, LAYER_SCREEN, packet(scr++, true, 3), 13); // switches
    room.onUpVideo(alice.p, 1, packet(cam++, false, 2), 14); // camera no longer forwarded
    room.onUpVideo(alice.p, LAYER_SCREEN, packet(scr++, false, 3), 15);
    const got = bob.slot(0).packets;
    expect(got.map(rtpSeq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(got.every((p) => rtpSsrc(p) === 1000)).toBe(true);
    room.tick(20); // pauses follow what tiles carry now
    expect(lastPause(alice)).toEqual({ type: 'pause', layers: ['low', 'mid', 'high'] });
  });

  it('parseRelayClientMessage checks the screen fields', () => {
    const sub = (extra: object) => parseRelayClientMessage(JSON.stringify({ type: 'subscribe', tile: 3, publisher: 'p', layer: 'high', ...extra }));
    expect(sub({ source: 'screen' })).toMatchObject({ source: 'screen' });
    expect(sub({ source: 'screen', layer: 'none' })).toMatchObject({ layer: 'none' });
    expect(sub({ source: 'camera' })).not.toBeNull();
    expect(sub({})).not.toBeNull();
    expect(sub({ source: 'screen', layer: 'low' })).toBeNull(); // a screen has one layer
    expect(sub({ source: 'window' })).toBeNull();
    const connect = (screen: unknown) =>
      parseRelayClientMessage(JSON.stringify({ type: 'connect', sdp: 'v=0', layout: { video: { low: '1' }, screen, downVideo: ['5'], downAudio: [] } }));
    expect(connect('4')).not.toBeNull();
    expect(connect(undefined)).not.toBeNull();
    expect(connect(4)).toBeNull();
    expect(connect('x'.repeat(33))).toBeNull();
  });
});
