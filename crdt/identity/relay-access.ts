import { fromBase64Url, toBase64Url } from '../protocol/base64url';
import type { RelayHelloBinding } from './relay-proof';

/**
 * A relay `hello` proves the room link, not only a participant key (PROTOCOL.md, "Relay node
 * media plane"). From the room secret comes an HMAC key that opens nothing (HKDF, its own info):
 * - `gate`, the room's name among relays: any relay keeps sessions with different gates apart,
 *   so whoever has only the room id lands in an empty room of their own;
 * - `access`, an HMAC over the relay's fresh nonce, room, peer and gate: a relay that holds the
 *   link (`confab relay --join`) checks it and refuses a hello without it.
 * The room server's own relay never sees the link: it learns the gate, which lets one into
 * that relay's room and nothing else (no signaling, room-message or media key).
 */
export interface RelayAccess {
  gate: string;
  prove(binding: RelayHelloBinding): Promise<string>;
  /** True only for this room's gate and an HMAC over the binding. Never throws. */
  check(binding: RelayHelloBinding, gate: unknown, access: unknown): Promise<boolean>;
}

const utf8 = new TextEncoder();
const GATE_BYTES = 16;
const MAX_ACCESS_CHARS = 64;

const accessBytes = (b: RelayHelloBinding, gate: string) => utf8.encode(JSON.stringify(['confab/relay-access/v1', b.nonce, b.room, b.peer, gate]));

export async function relayAccessFor(secret: string, roomId: string): Promise<RelayAccess> {
  const base = await crypto.subtle.importKey('raw', fromBase64Url(secret), 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(roomId), info: utf8.encode('confab/relay-access/v1') },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
  const gate = toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode('confab/relay-gate/v1'))).subarray(0, GATE_BYTES));
  return {
    gate,
    prove: async (binding) => toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, accessBytes(binding, gate)))),
    async check(binding, claimedGate, access) {
      if (claimedGate !== gate || typeof access !== 'string' || access.length > MAX_ACCESS_CHARS) return false;
      try {
        return await crypto.subtle.verify('HMAC', key, fromBase64Url(access), accessBytes(binding, gate));
      } catch {
        return false;
      }
    },
  };
}
