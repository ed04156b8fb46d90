import { toBase64Url } from './base64url';
import { MAX_RELAY_URL_CHARS } from '../room/room-schema';
import { RELAY_PRESENCE_VERSION, type PeerSignal, type RelayAnnouncement } from './wire';

/**
 * Relay nodes present in a room (PROTOCOL.md, "Relays in a room"): the announcement a relay
 * node joined with `confab relay --join` sends, its id and its shape. Shared by the relay node
 * (which sends) and the client (which receives); signatures and replays are
 * crdt/identity/relay-presence-auth.ts's.
 */

export type RelaySignal = Extract<PeerSignal, { kind: 'relay' | 'relay-bye' }>;

/** A relay re-announces this often on the room topic... */
export const RELAY_ANNOUNCE_EVERY_MS = 15_000;
/** ...and peers forget an announced relay not heard from for this long (two announcements missed). */
export const RELAY_FORGET_AFTER_MS = 40_000;
const MAX_MESH_MAX = 1_000;
const RELAY_ID = /^[A-Za-z0-9_-]{16}$/;
/** A raw uncompressed P-256 point (65 bytes) in base64url. */
const RELAY_KEY = /^[A-Za-z0-9_-]{87}$/;
const MAX_SIG_CHARS = 256;

/**
 * A relay node's control socket URL, normalised, or null: ws: or wss:, no credentials, query or
 * fragment, a path ending in `/relay`. Announcements come from anyone holding the link, so a
 * browser must not be sent to just any WebSocket endpoint.
 */
export function relayControlUrl(text: string): string | null {
  if (typeof text !== 'string' || text.length > MAX_RELAY_URL_CHARS) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
  if (url.username || url.password || url.search || url.hash || !url.pathname.endsWith('/relay')) return null;
  return url.href.length <= MAX_RELAY_URL_CHARS ? url.href : null;
}

const utf8 = new TextEncoder();

async function idFromHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(text));
  return toBase64Url(new Uint8Array(digest).subarray(0, 12));
}

/**
 * A joined relay's id: a hash of its control URL and its signing key, so every peer computes
 * the same for the same relay, and only the key's holder can speak for it.
 */
export function relayIdFor(url: string, key: string): Promise<string> {
  return idFromHash(JSON.stringify(['confab/relay-id/v2', url, key]));
}

/**
 * The room server's own relay (welcome frame) announces nothing and signs nothing; pages name
 * it by its URL alone, in a namespace no keyed id shares.
 */
export function serverRelayIdFor(url: string): Promise<string> {
  return idFromHash(`confab/relay/v1/${url}`);
}

export async function relayAnnouncement(url: string, meshMax: number, key: string): Promise<RelayAnnouncement> {
  const normalised = relayControlUrl(url);
  if (!normalised) throw new Error(`not a relay control URL (ws:// or wss://…/relay): ${url}`);
  return { v: RELAY_PRESENCE_VERSION, id: await relayIdFor(normalised, key), url: normalised, meshMax, key };
}

/**
 * The shape of a relay signal (`msg` of an envelope), or null. Never throws. Whether it is
 * genuine is crdt/identity/relay-presence-auth.ts's to say.
 */
export function parseRelaySignal(msg: unknown): RelaySignal | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if ((m.kind !== 'relay' && m.kind !== 'relay-bye') || typeof m.relay !== 'object' || m.relay === null) return null;
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 0 || typeof m.sig !== 'string' || m.sig.length === 0 || m.sig.length > MAX_SIG_CHARS) return null;
  const r = m.relay as Record<string, unknown>;
  if (r.v !== RELAY_PRESENCE_VERSION || typeof r.id !== 'string' || !RELAY_ID.test(r.id)) return null;
  if (typeof r.key !== 'string' || !RELAY_KEY.test(r.key)) return null;
  const url = typeof r.url === 'string' ? relayControlUrl(r.url) : null;
  const meshMax = r.meshMax;
  if (url === null || url !== r.url || !Number.isInteger(meshMax) || (meshMax as number) < 1 || (meshMax as number) > MAX_MESH_MAX) return null;
  const relay: RelayAnnouncement = { v: RELAY_PRESENCE_VERSION, id: r.id, url, meshMax: meshMax as number, key: r.key };
  return { kind: m.kind, relay, seq: m.seq as number, sig: m.sig };
}
