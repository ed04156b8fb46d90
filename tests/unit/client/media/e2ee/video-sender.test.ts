import { describe, expect, it } from 'vitest';
import { clearPrefixBytes, frameIv, sealFrame } from '../../../../../client/src/media/e2ee/frame-crypto';
import { openFrameInPlace } from '../../../../../client/src/media/e2ee/frame-opening';
import { SenderKeys } from '../../../../../client/src/media/e2ee/sender-keys';
import { MAX_HELD_SENT_FRAMES, NEW_STREAM_HOLD_MS, VideoSender } from '../../../../../client/src/media/e2ee/video-sender';
import type { EncodedVideoFrame } from '../../../../../client/src/media/e2ee/video-receiver';

/**
 * Alice's new video stream to a newcomer, Bob, with real keys: epoch 1 is Alice's before Bob
 * (Bob never holds it), epoch 2 names Bob. What leaves, and under which epoch, is what Bob's
 * own keys open.
 */
async function newStream() {
  const [old, next] = [crypto.getRandomValues(new Uint8Array(32)), crypto.getRandomValues(new Uint8Array(32))];
  const alice = new SenderKeys('alice', () => {});
  const bob = new SenderKeys('bob', () => {});
  await alice.install({ epoch: 1, secret: old, members: ['alice', 'carol'] });
  alice.send(1);
  await alice.install({ epoch: 2, secret: next, members: ['alice', 'bob', 'carol'] });
  await bob.install({ epoch: 2, secret: next, members: ['alice', 'bob', 'carol'] });
  let clock = 0;
  let switchedAt = -Infinity;
  let counter = 0;
  const sender = new VideoSender({
    seal: async (frame) => {
      const s = alice.sealing();
      if (!s) return false;
      frame.data = (await sealFrame(s.key, s.label, new Uint8Array(frame.data), clearPrefixBytes('video', frame.type === 'key'), frameIv(new Uint8Array(4), ++counter))).buffer as ArrayBuffer;
      return true;
    },
    switchedAt: () => switchedAt,
    now: () => clock,
  });
  const sent: EncodedVideoFrame[] = [];
  const out = { enqueue: (f: EncodedVideoFrame) => sent.push(f) } as unknown as TransformStreamDefaultController<EncodedVideoFrame>;
  const frame = (type: 'key' | 'delta', name: string): EncodedVideoFrame => ({
    data: new Uint8Array([...new Uint8Array(10), ...new TextEncoder().encode(name)]).buffer as ArrayBuffer,
    type,
  });
  /** What Bob reads of what left: the frame's name, or '?' for one he cannot open. */
  const bobReads = async () => {
    const counts = { opened: 0, failed: 0, replayed: 0 };
    const names: string[] = [];
    for (const f of sent.splice(0)) {
      const copy = { data: f.data.slice(0), type: f.type };
      const r = await openFrameInPlace(bob, 'video', copy, counts);
      names.push(r.result === 'opened' ? `${f.type}:${new TextDecoder().decode(new Uint8Array(copy.data).slice(10))}` : '?');
    }
    return names;
  };
  const switchTo = async (epoch: number) => {
    alice.send(epoch);
    switchedAt = clock;
    await sender.switched();
  };
  return { sender, out, frame, bobReads, switchTo, tick: (ms: number) => (clock += ms) };
}

describe('a new video stream in the worker (video-sender.ts)', () => {
  it('holds its first keyframe until the epoch that names the newcomer, then sends it under that epoch: the newcomer decodes it at once', async () => {
    const s = await newStream();
    await s.sender.transform(s.frame('key', 'k'), s.out);
    s.tick(33);
    await s.sender.transform(s.frame('delta', 'd1'), s.out);
    expect(await s.bobReads(), 'nothing leaves under the epoch Bob will never hold').toEqual([]);
    expect(s.sender.heldFrames).toBe(2);
    s.tick(33);
    await s.switchTo(2);
    await s.sender.transform(s.frame('delta', 'd2'), s.out);
    expect(await s.bobReads()).toEqual(['key:k', 'delta:d1', 'delta:d2']);
  });

  it('a stream remade to someone who holds our epoch already waits at most NEW_STREAM_HOLD_MS, then sends what it held under that epoch', async () => {
    const s = await newStream();
    await s.sender.transform(s.frame('key', 'k'), s.out);
    s.tick(NEW_STREAM_HOLD_MS);
    await s.sender.transform(s.frame('delta', 'd1'), s.out);
    const left = await s.bobReads();
    expect(left, 'under epoch 1, which a member of it opens (Bob, a newcomer, does not)').toEqual(['?', '?']);
    expect(s.sender.heldFrames).toBe(0);
  });

  it('holds nothing once it has sent, and no more than MAX_HELD_SENT_FRAMES before', async () => {
    const s = await newStream();
    await s.sender.transform(s.frame('delta', 'no keyframe yet'), s.out);
    expect(s.sender.heldFrames, 'a delta without its keyframe is useless to a decoder').toBe(0);
    await s.sender.transform(s.frame('key', 'k'), s.out);
    for (let i = 0; i < MAX_HELD_SENT_FRAMES + 5; i++) await s.sender.transform(s.frame('delta', `d${i}`), s.out);
    expect(s.sender.heldFrames).toBeLessThanOrEqual(MAX_HELD_SENT_FRAMES);
    await s.switchTo(2);
    await s.bobReads();
    await s.sender.transform(s.frame('delta', 'live'), s.out);
    expect(await s.bobReads()).toEqual(['delta:live']);
  });
});
