import { describe, expect, it } from 'vitest';
import { frameMessage, Reassembler } from '../../../../crdt/protocol/channel-framing';
import { DocSync } from '../../../../crdt/room/doc-sync';
import { MAX_CHAT_CHARS, MAX_CHAT_HISTORY, RoomDoc } from '../../../../crdt/room/room-doc';
import { CHANNEL_CHUNK_BYTES, ChannelTag } from '../../../../crdt/protocol/wire';
import { prng } from '../../../support/prng';

describe('data-channel framing', () => {
  it('small messages go whole; big ones in pieces no larger than the chunk size', () => {
    expect(frameMessage(ChannelTag.Yjs, Uint8Array.of(1, 2, 3))).toEqual([Uint8Array.of(0, 1, 2, 3)]);
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const frames = frameMessage(ChannelTag.Yjs, big);
    expect(frames.length).toBe(Math.ceil(100_000 / (CHANNEL_CHUNK_BYTES - 3)));
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(CHANNEL_CHUNK_BYTES);
    const r = new Reassembler(1_000_000);
    const results = frames.map((f) => r.push(f));
    expect(results.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(results.at(-1)).toEqual({ tag: ChannelTag.Yjs, bytes: big });
  });

  it('drops a message that grows past the limit, then reads the next one fine', () => {
    const r = new Reassembler(50_000);
    for (const f of frameMessage(ChannelTag.Yjs, new Uint8Array(80_000))) expect(r.push(f)).toBeNull();
    expect(r.push(frameMessage(ChannelTag.Bye, new Uint8Array(0))[0]!)).toEqual({ tag: ChannelTag.Bye, bytes: new Uint8Array(0) });
  });

  it('garbage frames never throw', () => {
    const rand = prng(7);
    const r = new Reassembler(10_000);
    for (let i = 0; i < 2_000; i++) {
      const frame = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 4));
      expect(() => r.push(frame)).not.toThrow();
    }
  });

  it('a late joiner gets a full history of the longest messages through 16 KiB pieces', () => {
    const veteran = new RoomDoc();
    veteran.join({ id: 'v', name: 'Veteran', micOn: true, camOn: true });
    for (let i = 0; i < MAX_CHAT_HISTORY; i++) veteran.sendChat('v', `${i} `.padEnd(MAX_CHAT_CHARS, 'é'), i);
    const late = new RoomDoc();
    const [syncV, syncL] = [new DocSync(veteran.doc), new DocSync(late.doc)];
    const [toV, toL] = [new Reassembler(8_000_000), new Reassembler(8_000_000)];
    let largestFrame = 0;
    const wire = (to: DocSync, from: string, r: Reassembler) => ({
      send(bytes: Uint8Array) {
        for (const frame of frameMessage(ChannelTag.Yjs, bytes)) {
          largestFrame = Math.max(largestFrame, frame.length);
          const whole = r.push(frame);
          if (whole) to.receive(from, whole.bytes);
        }
      },
    });
    syncV.addChannel('late', wire(syncL, 'v', toL));
    syncL.addChannel('v', wire(syncV, 'late', toV));
    expect(late.chat()).toHaveLength(MAX_CHAT_HISTORY);
    expect(late.chat().at(-1)!.text).toBe(veteran.chat().at(-1)!.text);
    expect(largestFrame).toBeLessThanOrEqual(CHANNEL_CHUNK_BYTES);
  });
});
