import { fromBase64Url, toBase64Url } from './base64url';
import { roomTopicFor } from './room-topic';
import type { RoomLink } from './room-link';

/**
 * Keys and topic names derived from a room link. The signaling relay sees only the topics
 * (hashes) and AES-GCM ciphertext; the secret never leaves the browser (or a relay node
 * joined with `confab relay --join`, which derives the same keys from the link).
 */
export interface RoomKeys {
  roomTopic: string;
  peerTopic(peerId: string): Promise<string>;
  seal(value: unknown): Promise<string>;
  /** Returns null for anything that was not sealed with this room's key. */
  open(sealed: string): Promise<unknown | null>;
}

const IV_BYTES = 12;
const utf8 = new TextEncoder();

async function sha256Url(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text))));
}

export async function deriveRoomKeys(link: RoomLink): Promise<RoomKeys> {
  const baseKey = await crypto.subtle.importKey('raw', fromBase64Url(link.secret), 'HKDF', false, [
    'deriveKey',
  ]);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(link.roomId), info: utf8.encode('confab/signaling/v1') },
    baseKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const roomTopic = await roomTopicFor(link.roomId);
  return {
    roomTopic,
    peerTopic: (peerId) => sha256Url(`confab/peer/v1/${link.roomId}/${peerId}`),
    async seal(value) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const plain = utf8.encode(JSON.stringify(value));
      const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
      const out = new Uint8Array(IV_BYTES + cipher.length);
      out.set(iv);
      out.set(cipher, IV_BYTES);
      return toBase64Url(out);
    },
    async open(sealed) {
      try {
        const bytes = fromBase64Url(sealed);
        if (bytes.length <= IV_BYTES) return null;
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) },
          key,
          bytes.subarray(IV_BYTES),
        );
        return JSON.parse(new TextDecoder().decode(plain)) as unknown;
      } catch {
        return null;
      }
    },
  };
}
