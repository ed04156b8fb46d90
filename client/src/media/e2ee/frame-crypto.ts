/**
 * End-to-end encryption of one encoded audio or video frame (AES-GCM, 128-bit tag), the same
 * in mesh and relay mode, under the key of the frame's sender for the current epoch
 * (sender-keys.ts). Layout of a sealed frame:
 *
 *   clear prefix | ciphertext + tag | IV (12 bytes) | sender index (1 byte) | key id (1 byte)
 *
 * The clear prefix is what a relay must read and the receiver's depacketizer needs: the VP8
 * payload header (10 bytes of a keyframe: keyframe bit, start code, size; 3 of a delta frame)
 * and Opus's TOC byte. The GCM additional data is a version tag, the epoch (8 bytes), the
 * sender's peer id and the clear prefix, so a frame opens only as its real sender's in its
 * real epoch: relabelling the sender index or key id makes it fail. The IV is a per-sender
 * random 4 bytes and an 8-byte frame counter, which the receiver also uses against replays.
 * Runs in the transform worker and, for tests, in Node (WebCrypto in both).
 */
import type { RtpMedia } from '../media-kind';

export const IV_BYTES = 12;
export const TRAILER_BYTES = IV_BYTES + 2;
const TAG_BYTES = 16;
const AAD_TAG = new TextEncoder().encode('confab/frame/v2');
const utf8 = new TextEncoder();

export function clearPrefixBytes(kind: RtpMedia, keyFrame: boolean): number {
  if (kind === 'audio') return 1;
  return keyFrame ? 10 : 3;
}

/** Who sealed a frame and under which epoch: the key id and sender index travel, the rest is authenticated. */
export interface FrameLabel {
  epoch: number;
  keyId: number;
  senderIndex: number;
  senderId: string;
}

/** 4 random bytes for this sender, then the counter, big-endian. */
export function frameIv(senderSalt: Uint8Array, counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_BYTES);
  iv.set(senderSalt.subarray(0, 4));
  new DataView(iv.buffer).setBigUint64(4, BigInt(counter));
  return iv;
}

/** The GCM additional data of a frame (exported for test publishers that seal synchronously). */
export function frameAdditionalData(label: Pick<FrameLabel, 'epoch' | 'senderId'>, header: Uint8Array): Uint8Array<ArrayBuffer> {
  const sender = utf8.encode(label.senderId);
  const out = new Uint8Array(AAD_TAG.length + 8 + 1 + sender.length + header.length);
  out.set(AAD_TAG);
  new DataView(out.buffer).setBigUint64(AAD_TAG.length, BigInt(label.epoch));
  out[AAD_TAG.length + 8] = sender.length;
  out.set(sender, AAD_TAG.length + 9);
  out.set(header, AAD_TAG.length + 9 + sender.length);
  return out;
}

export async function sealFrame(
  key: CryptoKey,
  label: FrameLabel,
  frame: Uint8Array,
  clearBytes: number,
  iv: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const clear = Math.min(clearBytes, frame.length);
  const header = frame.slice(0, clear);
  const cipher = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: frameAdditionalData(label, header) }, key, frame.slice(clear)),
  );
  const out = new Uint8Array(clear + cipher.length + TRAILER_BYTES);
  out.set(header);
  out.set(cipher, clear);
  out.set(iv, clear + cipher.length);
  out[out.length - 2] = label.senderIndex;
  out[out.length - 1] = label.keyId;
  return out;
}

/** The key id and sender index a sealed frame names, or null if it is too short to be one. */
export function sealedLabel(sealed: Uint8Array): { keyId: number; senderIndex: number } | null {
  if (sealed.length < TAG_BYTES + TRAILER_BYTES) return null;
  return { keyId: sealed[sealed.length - 1]!, senderIndex: sealed[sealed.length - 2]! };
}

/** The sender's frame counter (the IV's last 8 bytes): what the replay window tracks. */
export function sealedCounter(sealed: Uint8Array): number {
  const at = sealed.length - TRAILER_BYTES + 4;
  return Number(new DataView(sealed.buffer, sealed.byteOffset + at, 8).getBigUint64(0));
}

/** The frame as sent, or null when it was not sealed with `key` as `label`'s sender and epoch. */
export async function openFrame(
  key: CryptoKey,
  label: Pick<FrameLabel, 'epoch' | 'senderId'>,
  sealed: Uint8Array,
  clearBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (sealedLabel(sealed) === null) return null;
  const clear = Math.min(clearBytes, sealed.length - TAG_BYTES - TRAILER_BYTES);
  const header = sealed.slice(0, clear);
  const iv = sealed.slice(sealed.length - TRAILER_BYTES, sealed.length - 2);
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: frameAdditionalData(label, header) },
        key,
        sealed.slice(clear, sealed.length - TRAILER_BYTES),
      ),
    );
    const out = new Uint8Array(clear + plain.length);
    out.set(header);
    out.set(plain, clear);
    return out;
  } catch {
    return null;
  }
}

/** One sender's frame key in one epoch: HKDF of the epoch secret, the epoch and the sender's peer id. */
export async function senderFrameKey(epochSecret: Uint8Array<ArrayBuffer>, epoch: number, senderId: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', epochSecret, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode('confab/media/v2'), info: utf8.encode(`sender ${epoch} ${senderId}`) },
    base,
    { name: 'AES-GCM', length: 128 },
    false,
    ['encrypt', 'decrypt'],
  );
}
