import { describe, expect, it } from 'vitest';
import { audioLevel } from '../../../../relay/sfu/audio-level';
import { readRtcpFeedback } from '../../../../relay/sfu/rtcp';
import {
  findRtpExtension,
  isRtp,
  rtpMarker,
  rtpPayloadEnd,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSeq,
  rtpSsrc,
  rtpTimestamp,
  seqNewer,
} from '../../../../relay/sfu/rtp';
import { PacketCache } from '../../../../relay/sfu/packet-cache';
import { isVp8KeyframeStart, vp8DescriptorLength } from '../../../../relay/sfu/vp8';
import { buildRtp, EXT_ABS_SEND_TIME, EXT_AUDIO_LEVEL, vp8Payload } from '../../../load/packet-builder';
import { loadRecording } from '../../../load/recording';
import { prng } from '../../../support/prng';

describe('RTP header', () => {
  it('reads every field of seeded random packets, with and without extensions and padding', () => {
    const rand = prng(7);
    for (let i = 0; i < 500; i++) {
      const f = {
        payloadType: Math.floor(rand() * 32) + (rand() < 0.5 ? 0 : 96),
        seq: Math.floor(rand() * 0x10000),
        timestamp: Math.floor(rand() * 2 ** 32),
        ssrc: Math.floor(rand() * 2 ** 32),
        marker: rand() < 0.5,
        extensions: rand() < 0.5 ? [{ id: EXT_AUDIO_LEVEL, data: [Math.floor(rand() * 128)] }, { id: EXT_ABS_SEND_TIME, data: [1, 2, 3] }] : [],
        payload: new Uint8Array(Math.floor(rand() * 1200) + 1).fill(7),
        padding: rand() < 0.2 ? 4 : 0,
      };
      const buf = buildRtp(f);
      expect(isRtp(buf)).toBe(true);
      expect([rtpPayloadType(buf), rtpSeq(buf), rtpTimestamp(buf), rtpSsrc(buf), rtpMarker(buf)]).toEqual([
        f.payloadType,
        f.seq,
        f.timestamp,
        f.ssrc,
        f.marker,
      ]);
      const at = rtpPayloadOffset(buf);
      expect(rtpPayloadEnd(buf) - at).toBe(f.payload.length);
      expect(buf[at]).toBe(7);
      if (f.extensions.length) {
        expect(audioLevel(buf, EXT_AUDIO_LEVEL)).toBe(f.extensions[0]!.data[0]);
        expect([...buf.subarray(findRtpExtension(buf, EXT_ABS_SEND_TIME), findRtpExtension(buf, EXT_ABS_SEND_TIME) + 3)]).toEqual([1, 2, 3]);
      } else expect(audioLevel(buf, EXT_AUDIO_LEVEL)).toBe(127);
    }
  });

  it('refuses RTCP, other versions and truncated headers', () => {
    const rtcp = new Uint8Array([0x81, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(isRtp(rtcp)).toBe(false);
    expect(isRtp(new Uint8Array([0x40, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(isRtp(new Uint8Array(11).fill(0x80))).toBe(false);
    const lying = buildRtp({ payloadType: 96, seq: 1, timestamp: 1, ssrc: 1, extensions: [{ id: 1, data: [1] }], payload: new Uint8Array(1) });
    lying[15] = 200; // extension longer than the packet
    expect(rtpPayloadOffset(lying)).toBe(-1);
    expect(findRtpExtension(lying, 1)).toBe(-1);
  });

  it('orders sequence numbers across the wrap', () => {
    expect(seqNewer(1, 0xffff)).toBe(true);
    expect(seqNewer(0xffff, 1)).toBe(false);
    expect(seqNewer(5, 5)).toBe(false);
  });
});

describe('VP8 payload descriptor', () => {
  it('spots the first packet of a keyframe and nothing else', () => {
    const check = (p: Uint8Array) => isVp8KeyframeStart(p, 0, p.length);
    expect(check(vp8Payload({ start: true, keyframe: true }))).toBe(true);
    expect(check(vp8Payload({ start: true, keyframe: false }))).toBe(false);
    expect(check(vp8Payload({ start: false, keyframe: true }))).toBe(false);
    expect(vp8DescriptorLength(vp8Payload({ start: true, keyframe: true }), 0, 20)).toBe(4);
    expect(vp8DescriptorLength(new Uint8Array([0x90, 0x80]), 0, 2)).toBe(-1);
  });

  it('finds a keyframe at the start of each recorded Chromium layer', () => {
    const rec = loadRecording();
    for (const stream of [1, 2, 3]) {
      const packets = rec.streams[stream]!;
      expect(packets.length).toBeGreaterThan(50);
      expect(isVp8KeyframeStart(packets[0]!.payload, 0, packets[0]!.payload.length)).toBe(true);
      const keyframes = packets.filter((p) => isVp8KeyframeStart(p.payload, 0, p.payload.length)).length;
      expect(keyframes).toBeLessThan(packets.length / 10);
    }
  });
});

describe('RTCP feedback', () => {
  it('reads PLI, FIR and NACK bitmasks from a compound packet', () => {
    const rr = [0x80, 201, 0, 1, 0, 0, 0, 9];
    const pli = [0x81, 206, 0, 2, 0, 0, 0, 9, 0, 0, 0, 42];
    const fir = [0x84, 206, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 43, 1, 0, 0, 0];
    const nack = [0x81, 205, 0, 3, 0, 0, 0, 9, 0, 0, 0, 44, 0xff, 0xff, 0b0000_0000, 0b0000_0101];
    const seen: string[] = [];
    readRtcpFeedback(new Uint8Array([...rr, ...pli, ...fir, ...nack]), {
      keyframe: (ssrc) => seen.push(`kf ${ssrc}`),
      nack: (ssrc, seq) => seen.push(`nack ${ssrc} ${seq}`),
    });
    expect(seen).toEqual(['kf 42', 'kf 43', 'nack 44 65535', 'nack 44 0', 'nack 44 2']);
  });

  it('stops at a truncated packet without throwing', () => {
    const seen: number[] = [];
    readRtcpFeedback(new Uint8Array([0x81, 206, 0, 9, 0, 0, 0, 9]), { keyframe: (s) => seen.push(s), nack: () => {} });
    expect(seen).toEqual([]);
  });
});

describe('NACK packet cache', () => {
  const packet = (seq: number, fill: number) => buildRtp({ payloadType: 96, seq, timestamp: seq * 3000, ssrc: 7, payload: new Uint8Array(100).fill(fill) });

  it('gives back a kept packet by sequence number, and nothing for one overwritten or never seen', () => {
    const cache = new PacketCache(4);
    for (let seq = 10; seq < 16; seq++) cache.store(packet(seq, seq));
    const into = Buffer.alloc(1_500);
    expect(cache.copy(15, into)).toBe(112);
    expect(into.subarray(0, 112)).toEqual(packet(15, 15));
    expect(cache.copy(11, into)).toBe(0); // its slot now holds 15
    expect(cache.copy(99, into)).toBe(0);
  });
});
