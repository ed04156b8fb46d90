/**
 * End-to-end encryption of one encoded audio or video frame (AES-GCM, 128-bit tag), the same
 * in mesh and relay mode. Layout of a sealed frame:
 *
 *   clear prefix | ciphertext + tag | IV (12 bytes) | key id (1 byte)
 *
 * The clear prefix is what a relay must read and the receiver's depacketizer needs: the VP8
 * payload header (10 bytes of a keyframe: keyframe bit, start code, size; 3 of a delta frame)
 * and Opus's TOC byte. It is authenticated (GCM additional data), not hidden. The IV is a
 * per-sender random 4 bytes and an 8-byte frame counter, so no IV repeats under one key.
 * Runs in the transform worker and, for tests, in Node (WebCrypto in both).
 */
export const IV_BYTES = 12;
export const TRAILER_BYTES = IV_BYTES + 1;
const TAG_BYTES = 16;

export function clearPrefixBytes(kind: 'audio' | 'video', keyFrame: boolean): number {
  if (kind === 'audio') return 1;
  return keyFrame ? 10 : 3;
}

/** 4 random bytes for this sender, then the counter, big-endian. */
export function frameIv(senderSalt: Uint8Array, counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_BYTES);
  iv.set(senderSalt.subarray(0, 4));
  new DataView(iv.buffer).setBigUint64(4, BigInt(counter));
  return iv;
}

export async function sealFrame(
  key: CryptoKey,
  keyId: number,
  frame: Uint8Array,
  clearBytes: number,
  iv: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const clear = Math.min(clearBytes, frame.length);
  const header = frame.slice(0, clear);
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, frame.slice(clear)));
  const out = new Uint8Array(clear + cipher.length + TRAILER_BYTES);
  out.set(header);
  out.set(cipher, clear);
  out.set(iv, clear + cipher.length);
  out[out.length - 1] = keyId;
  return out;
}

/** The key id a sealed frame names, or null if it is too short to be one. */
export function sealedKeyId(sealed: Uint8Array): number | null {
  return sealed.length < TAG_BYTES + TRAILER_BYTES ? null : sealed[sealed.length - 1]!;
}

/** The frame as sent, or null when it was not sealed with `key` (wrong key, altered, not sealed). */
export async function openFrame(key: CryptoKey, sealed: Uint8Array, clearBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (sealedKeyId(sealed) === null) return null;
  const clear = Math.min(clearBytes, sealed.length - TAG_BYTES - TRAILER_BYTES);
  const header = sealed.slice(0, clear);
  const iv = sealed.slice(sealed.length - TRAILER_BYTES, sealed.length - 1);
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key, sealed.slice(clear, sealed.length - TRAILER_BYTES)),
    );
    const out = new Uint8Array(clear + plain.length);
    out.set(header);
    out.set(plain, clear);
    return out;
  } catch {
    return null;
  }
}

export function importMediaKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Epoch 0's key, which everyone holding the link derives alike (HKDF of the room secret). */
export async function deriveEpochZeroKey(secret: Uint8Array<ArrayBuffer>, roomId: string): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode(roomId), info: new TextEncoder().encode('confab/media/v1/epoch-0') },
    base,
    128,
  );
  return new Uint8Array(bits);
}
