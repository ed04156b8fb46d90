import { describe, expect, it } from 'vitest';
import {
  clearPrefixBytes,
  deriveEpochZeroKey,
  frameIv,
  importMediaKey,
  openFrame,
  sealedKeyId,
  sealFrame,
  TRAILER_BYTES,
} from '../../../../../client/src/media/e2ee/frame-crypto';
import { prng } from '../../../../support/prng';

const bytes = (n: number, seed = 1) => {
  const next = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
};
const key = async (seed: number) => importMediaKey(bytes(16, seed) as Uint8Array<ArrayBuffer>);
const salt = bytes(4, 99);

describe('frame encryption', () => {
  it('a sealed VP8 keyframe keeps its 10-byte header in clear, hides the rest, and opens back to the same bytes', async () => {
    const k = await key(1);
    const frame = bytes(1200, 2);
    const clear = clearPrefixBytes('video', true);
    const sealed = await sealFrame(k, 7, frame, clear, frameIv(salt, 1));
    expect(sealed.length).toBe(frame.length + 16 + TRAILER_BYTES);
    expect([...sealed.subarray(0, 10)]).toEqual([...frame.subarray(0, 10)]);
    expect(Buffer.from(sealed.subarray(10, 1200)).equals(Buffer.from(frame.subarray(10)))).toBe(false);
    expect(sealedKeyId(sealed)).toBe(7);
    expect(await openFrame(k, sealed, clear)).toEqual(frame);
  });

  it('delta frames keep 3 bytes clear, Opus frames 1', () => {
    expect(clearPrefixBytes('video', false)).toBe(3);
    expect(clearPrefixBytes('audio', false)).toBe(1);
  });

  it('another key, an altered clear header, an altered body or a cut frame open to nothing', async () => {
    const k = await key(1);
    const frame = bytes(300, 3);
    const sealed = await sealFrame(k, 0, frame, 3, frameIv(salt, 2));
    expect(await openFrame(await key(2), sealed, 3)).toBeNull();
    for (const at of [0, 150, sealed.length - 5]) {
      const altered = sealed.slice();
      altered[at]! ^= 1;
      expect(await openFrame(k, altered, 3), `byte ${at} flipped`).toBeNull();
    }
    expect(await openFrame(k, sealed.subarray(0, 20), 3)).toBeNull();
    expect(await openFrame(k, frame, 3), 'a frame that was never sealed').toBeNull();
  });

  it('frames shorter than the clear prefix (tiny audio) still round-trip', async () => {
    const k = await key(3);
    const tiny = bytes(1, 4);
    expect(await openFrame(k, await sealFrame(k, 1, tiny, 10, frameIv(salt, 3)), 10)).toEqual(tiny);
  });

  it('IVs differ for every frame counter and sender', () => {
    expect(frameIv(salt, 1)).not.toEqual(frameIv(salt, 2));
    expect(frameIv(bytes(4, 5), 1)).not.toEqual(frameIv(salt, 1));
  });

  it('everyone holding the link derives the same epoch-0 key; another room or secret gives another', async () => {
    const secret = bytes(16, 6) as Uint8Array<ArrayBuffer>;
    const a = await deriveEpochZeroKey(secret, 'room-a');
    expect(await deriveEpochZeroKey(secret, 'room-a')).toEqual(a);
    expect(await deriveEpochZeroKey(secret, 'room-b')).not.toEqual(a);
    expect(await deriveEpochZeroKey(bytes(16, 7) as Uint8Array<ArrayBuffer>, 'room-a')).not.toEqual(a);
  });
});
