import { describe, expect, it } from 'vitest';
import {
  clearPrefixBytes,
  frameIv,
  openFrame,
  sealedCounter,
  sealedLabel,
  sealFrame,
  senderFrameKey,
  TRAILER_BYTES,
  type FrameLabel,
} from '../../../../../client/src/media/e2ee/frame-crypto';
import { prng } from '../../../../support/prng';

const bytes = (n: number, seed = 1) => {
  const next = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
};
const secret = (seed: number) => bytes(32, seed) as Uint8Array<ArrayBuffer>;
const label = (senderId = 'alice-peer-id-16', epoch = 7, senderIndex = 0): FrameLabel => ({ epoch, keyId: epoch % 256, senderIndex, senderId });
const key = (seed: number, l = label()) => senderFrameKey(secret(seed), l.epoch, l.senderId);
const salt = bytes(4, 99);

describe('frame encryption', () => {
  it('a sealed VP8 keyframe keeps its 10-byte header in clear, hides the rest, and opens back to the same bytes', async () => {
    const k = await key(1);
    const frame = bytes(1200, 2);
    const clear = clearPrefixBytes('video', true);
    const sealed = await sealFrame(k, label(), frame, clear, frameIv(salt, 1));
    expect(sealed.length).toBe(frame.length + 16 + TRAILER_BYTES);
    expect([...sealed.subarray(0, 10)]).toEqual([...frame.subarray(0, 10)]);
    expect(Buffer.from(sealed.subarray(10, 1200)).equals(Buffer.from(frame.subarray(10)))).toBe(false);
    expect(sealedLabel(sealed)).toEqual({ keyId: 7, senderIndex: 0 });
    expect(sealedCounter(sealed)).toBe(1);
    expect(await openFrame(k, label(), sealed, clear)).toEqual(frame);
  });

  it('delta frames keep 3 bytes clear, Opus frames 1', () => {
    expect(clearPrefixBytes('video', false)).toBe(3);
    expect(clearPrefixBytes('audio', false)).toBe(1);
  });

  it('another key, another sender or epoch in the authenticated data, an altered header, body or trailer, or a cut frame open to nothing', async () => {
    const k = await key(1);
    const frame = bytes(300, 3);
    const sealed = await sealFrame(k, label(), frame, 3, frameIv(salt, 2));
    expect(await openFrame(await key(2), label(), sealed, 3)).toBeNull();
    expect(await openFrame(k, { epoch: 7, senderId: 'bob-peer-id-1600' }, sealed, 3), 'named as another sender').toBeNull();
    expect(await openFrame(k, { epoch: 8, senderId: 'alice-peer-id-16' }, sealed, 3), 'named as another epoch').toBeNull();
    for (const at of [0, 150, sealed.length - 5]) {
      const altered = sealed.slice();
      altered[at]! ^= 1;
      expect(await openFrame(k, label(), altered, 3), `byte ${at} flipped`).toBeNull();
    }
    expect(await openFrame(k, label(), sealed.subarray(0, 20), 3)).toBeNull();
    expect(await openFrame(k, label(), frame, 3), 'a frame that was never sealed').toBeNull();
  });

  it('frames shorter than the clear prefix (tiny audio) still round-trip', async () => {
    const k = await key(3);
    const tiny = bytes(1, 4);
    expect(await openFrame(k, label(), await sealFrame(k, label(), tiny, 10, frameIv(salt, 3)), 10)).toEqual(tiny);
  });

  it('IVs differ for every frame counter and sender', () => {
    expect(frameIv(salt, 1)).not.toEqual(frameIv(salt, 2));
    expect(frameIv(bytes(4, 5), 1)).not.toEqual(frameIv(salt, 1));
  });

  it('each sender has its own key in each epoch', async () => {
    const raw = async (k: CryptoKey) => {
      const sealed = await sealFrame(k, label(), new Uint8Array(8), 0, frameIv(salt, 1));
      return Buffer.from(sealed).toString('hex');
    };
    const base = await raw(await senderFrameKey(secret(1), 7, 'a'));
    expect(await raw(await senderFrameKey(secret(1), 7, 'a'))).toBe(base);
    expect(await raw(await senderFrameKey(secret(1), 7, 'b'))).not.toBe(base);
    expect(await raw(await senderFrameKey(secret(1), 8, 'a'))).not.toBe(base);
    expect(await raw(await senderFrameKey(secret(2), 7, 'a'))).not.toBe(base);
  });
});
