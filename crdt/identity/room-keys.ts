import { fromBase64Url, toBase64Url } from '../protocol/base64url';
import { relayAccessFor, type RelayAccess } from './relay-access';
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
  /**
   * Room messages through a relay node (sealed Yjs and media-key messages): a key of their own,
   * so nothing sealed for signaling can be passed off as one.
   */
  sealMessage(plain: Uint8Array): Promise<Uint8Array>;
  /** Null for anything not sealed with this room's message key. */
  openMessage(sealed: Uint8Array): Promise<Uint8Array | null>;
  /** What a relay `hello` shows of the link (crdt/identity/relay-access.ts). */
  relayAccess: RelayAccess;
}

const IV_BYTES = 12;
const utf8 = new TextEncoder();

async function sha256Url(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text))));
}

function aesGcmKey(baseKey: CryptoKey, roomId: string, info: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(roomId), info: utf8.encode(info) },
    baseKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** A fresh IV, then the ciphertext and tag. */
async function sealWith(key: CryptoKey, plain: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain as Uint8Array<ArrayBuffer>));
  const out = new Uint8Array(IV_BYTES + cipher.length);
  out.set(iv);
  out.set(cipher, IV_BYTES);
  return out;
}

async function openWith(key: CryptoKey, sealed: Uint8Array): Promise<Uint8Array | null> {
  if (sealed.length <= IV_BYTES) return null;
  try {
    const iv = sealed.slice(0, IV_BYTES);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed.slice(IV_BYTES)));
  } catch {
    return null;
  }
}

export async function deriveRoomKeys(link: RoomLink): Promise<RoomKeys> {
  const baseKey = await crypto.subtle.importKey('raw', fromBase64Url(link.secret), 'HKDF', false, ['deriveKey']);
  const [key, messageKey, relayAccess] = await Promise.all([
    aesGcmKey(baseKey, link.roomId, 'confab/signaling/v1'),
    aesGcmKey(baseKey, link.roomId, 'confab/room-messages/v1'),
    relayAccessFor(link.secret, link.roomId),
  ]);
  const roomTopic = await roomTopicFor(link.roomId);
  return {
    roomTopic,
    peerTopic: (peerId) => sha256Url(`confab/peer/v1/${link.roomId}/${peerId}`),
    seal: async (value) => toBase64Url(await sealWith(key, utf8.encode(JSON.stringify(value)))),
    async open(sealed) {
      try {
        const plain = await openWith(key, fromBase64Url(sealed));
        return plain && (JSON.parse(new TextDecoder().decode(plain)) as unknown);
      } catch {
        return null;
      }
    },
    relayAccess,
    sealMessage: (plain) => sealWith(messageKey, plain),
    openMessage: (sealed) => openWith(messageKey, sealed),
  };
}
