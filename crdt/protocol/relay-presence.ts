import { toBase64Url } from './base64url';
import { MAX_RELAY_URL_CHARS } from '../room/room-schema';
import { RELAY_PRESENCE_VERSION, type PeerSignal, type RelayAnnouncement } from './wire';

/**
 * Relay nodes present in a room (PROTOCOL.md, "Relays in a room"): the announcement a relay
 * node joined with `confab relay --join` sends, and the checks every receiver makes. Shared by
 * the relay node (which sends) and the client (which receives).
 */

export type RelaySignal = Extract<PeerSignal, { kind: 'relay' | 'relay-bye' }>;

/** A relay re-announces this often on the room topic... */
export const RELAY_ANNOUNCE_EVERY_MS = 15_000;
/** ...and peers forget an announced relay not heard from for this long (two announcements missed). */
export const RELAY_FORGET_AFTER_MS = 40_000;
const MAX_MESH_MAX = 1_000;
const RELAY_ID = /^[A-Za-z0-9_-]{16}$/;

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

/** A relay's id: a hash of its control URL, so every peer computes the same for the same relay. */
export async function relayIdFor(url: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`confab/relay/v1/${url}`));
  return toBase64Url(new Uint8Array(digest).subarray(0, 12));
}

export async function relayAnnouncement(url: string, meshMax: number): Promise<RelayAnnouncement> {
  const normalised = relayControlUrl(url);
  if (!normalised) throw new Error(`not a relay control URL (ws:// or wss://…/relay): ${url}`);
  return { v: RELAY_PRESENCE_VERSION, id: await relayIdFor(normalised), url: normalised, meshMax };
}

/** The shape of a relay signal (`msg` of an envelope), or null. Never throws. */
export function parseRelaySignal(msg: unknown): RelaySignal | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m.kind === 'relay-bye') return typeof m.id === 'string' && RELAY_ID.test(m.id) ? { kind: 'relay-bye', id: m.id } : null;
  if (m.kind !== 'relay' || typeof m.relay !== 'object' || m.relay === null) return null;
  const r = m.relay as Record<string, unknown>;
  if (r.v !== RELAY_PRESENCE_VERSION || typeof r.id !== 'string' || !RELAY_ID.test(r.id)) return null;
  const url = typeof r.url === 'string' ? relayControlUrl(r.url) : null;
  const meshMax = r.meshMax;
  if (url === null || url !== r.url || !Number.isInteger(meshMax) || (meshMax as number) < 1 || (meshMax as number) > MAX_MESH_MAX) return null;
  return { kind: 'relay', relay: { v: RELAY_PRESENCE_VERSION, id: r.id, url, meshMax: meshMax as number } };
}

/**
 * A relay signal as its envelope delivered it, if it holds up: a broadcast (no `to`) or sent to
 * us, from the relay it names, whose id is the hash of its URL. Null otherwise; never throws.
 */
export async function checkRelaySignal(envelope: { from: string; to?: string; msg: unknown }, selfId?: string): Promise<RelaySignal | null> {
  const signal = parseRelaySignal(envelope.msg);
  if (!signal || (envelope.to !== undefined && envelope.to !== selfId)) return null;
  const id = signal.kind === 'relay' ? signal.relay.id : signal.id;
  if (envelope.from !== id) return null;
  if (signal.kind === 'relay' && (await relayIdFor(signal.relay.url)) !== id) return null;
  return signal;
}
