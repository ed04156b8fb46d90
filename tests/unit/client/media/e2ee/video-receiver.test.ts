import { describe, expect, it } from 'vitest';
import { frameIv, sealFrame } from '../../../../../client/src/media/e2ee/frame-crypto';
import { openFrameInPlace } from '../../../../../client/src/media/e2ee/frame-opening';
import { SenderKeys } from '../../../../../client/src/media/e2ee/sender-keys';
import { MAX_HELD_FRAMES, VideoReceiver, type EncodedVideoFrame } from '../../../../../client/src/media/e2ee/video-receiver';

const members = ['alice', 'bob'];

/**
 * Alice sends VP8-shaped frames sealed with real keys; Bob's VideoReceiver opens them with real
 * keys as the transform worker does, and we see what reaches his decoder and when he asks
 * Alice for a keyframe.
 */
async function call() {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const alice = new SenderKeys('alice', () => {});
  const bob = new SenderKeys('bob', () => {});
  await alice.install({ epoch: 7, secret, members });
  alice.send(7);
  let counter = 0;
  let clock = 0;
  const decoded: string[] = [];
  const requests: number[] = [];
  const counts = { opened: 0, failed: 0, replayed: 0 };
  const receiver = new VideoReceiver({
    open: (frame) => openFrameInPlace(bob, 'video', frame, counts),
    requestKeyFrame: () => requests.push(clock),
    now: () => clock,
  });
  const out = { enqueue: (f: EncodedVideoFrame) => decoded.push(`${f.type}:${new TextDecoder().decode(f.data).slice(10)}`) };
  const frame = async (type: 'key' | 'delta', name: string): Promise<EncodedVideoFrame> => {
    const s = alice.sealing()!;
    const body = new Uint8Array([...new Uint8Array(10), ...new TextEncoder().encode(name)]);
    const sealed = await sealFrame(s.key, s.label, body, type === 'key' ? 10 : 3, frameIv(new Uint8Array(4), ++counter));
    return { data: sealed.buffer as ArrayBuffer, type };
  };
  const receive = (f: EncodedVideoFrame) => receiver.transform(f, out as unknown as TransformStreamDefaultController<EncodedVideoFrame>);
  const bobGetsTheEpoch = async () => {
    await bob.install({ epoch: 7, secret, members });
    await receiver.epochInstalled();
  };
  return { receiver, frame, receive, bobGetsTheEpoch, decoded, requests, counts, tick: (ms: number) => (clock += ms) };
}

describe('a received video stream in the worker (video-receiver.ts)', () => {
  it('a newcomer holds the keyframe that came before its key, asks for one at once, and decodes it the moment the epoch arrives', async () => {
    const c = await call();
    await c.receive(await c.frame('key', 'k1'));
    await c.receive(await c.frame('delta', 'd1'));
    expect(c.decoded, 'nothing reaches the decoder without the key').toEqual([]);
    expect(c.requests, 'asked for a keyframe on the first frame of an epoch it lacks').toEqual([0]);
    expect(c.receiver.heldFrames).toBe(2);
    await c.bobGetsTheEpoch();
    expect(c.decoded).toEqual(['key:k1', 'delta:d1']);
    await c.receive(await c.frame('delta', 'd2'));
    expect(c.decoded.at(-1)).toBe('delta:d2');
    expect(c.receiver.heldFrames).toBe(0);
  });

  it('after a gap, a keyframe is asked for (at most every 50 ms) until one opens; deltas still reach the decoder, whose own recovery stays', async () => {
    const c = await call();
    await c.receive(await c.frame('delta', 'lost'));
    expect(c.receiver.heldFrames, 'a delta without its keyframe is not worth holding').toBe(0);
    await c.bobGetsTheEpoch();
    c.tick(60);
    await c.receive(await c.frame('delta', 'd1'));
    await c.receive(await c.frame('delta', 'd2'));
    expect(c.decoded).toEqual(['delta:d1', 'delta:d2']);
    c.tick(60);
    await c.receive(await c.frame('delta', 'd3'));
    expect(c.requests).toEqual([0, 60, 120]);
    await c.receive(await c.frame('key', 'k'));
    await c.receive(await c.frame('delta', 'd4'));
    expect(c.decoded.slice(-2)).toEqual(['key:k', 'delta:d4']);
    c.tick(100);
    await c.receive(await c.frame('delta', 'd5'));
    expect(c.requests.length, 'no more asking once decoding').toBe(3);
  });

  it('holds at most MAX_HELD_FRAMES: a key that never comes costs bounded memory', async () => {
    const c = await call();
    await c.receive(await c.frame('key', 'k'));
    for (let i = 0; i < MAX_HELD_FRAMES + 5; i++) await c.receive(await c.frame('delta', `d${i}`));
    expect(c.receiver.heldFrames).toBeLessThanOrEqual(MAX_HELD_FRAMES);
  });

  it('a forged or replayed frame never reaches the decoder, held or live', async () => {
    const c = await call();
    const key = await c.frame('key', 'k');
    const bytes = new Uint8Array(key.data.slice(0));
    bytes[12] = bytes[12]! ^ 1;
    const forged = { data: bytes.buffer, type: 'key' };
    await c.receive(forged);
    await c.bobGetsTheEpoch();
    expect(c.decoded).toEqual([]);
    const copy = { data: key.data.slice(0), type: 'key' };
    await c.receive(key);
    await c.receive(copy);
    expect(c.decoded).toEqual(['key:k']);
    expect(c.counts.replayed).toBe(1);
  });
});
