import { randomId } from '../protocol/base64url';

/**
 * What a room link carries in its hash (the hash never reaches a server): the room id, the
 * room secret and, when the page's own origin is not the signaling relay (a static host), the
 * signaling relay to use (`&relay=<url>` in the hash).
 */
export interface RoomLink {
  roomId: string;
  secret: string;
  /** ws:// or wss:// URL of the signaling relay (`relay=` in the hash); absent means this page's own origin. */
  signalingUrl?: string;
}

const PART = /^[A-Za-z0-9_-]{22}$/;
const MAX_RELAY_CHARS = 512;

export type ParsedHash =
  | { kind: 'none'; signalingUrl?: string }
  /** `hostKey`: present in a host link (the host's private key: host controls on any device). */
  | { kind: 'room'; link: RoomLink; hostKey?: string }
  | { kind: 'invalid' };

const HOST_KEY = /^[A-Za-z0-9_-]{1,200}$/;

/** Only a WebSocket URL is a signaling relay: anything else in the link is a mistake or a trick. */
export function parseSignalingUrl(text: string): string | null {
  if (text.length > MAX_RELAY_CHARS) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'ws:' || url.protocol === 'wss:' ? url.href : null;
  } catch {
    return null;
  }
}

/** `#<roomId>.<secret>[&relay=<url>]`, or `#relay=<url>` for a home page bound to a relay. */
export function parseRoomHash(hash: string): ParsedHash {
  const body = hash.replace(/^#/, '');
  if (body === '') return { kind: 'none' };
  const [room = '', ...params] = body.split('&');
  let signalingUrl: string | undefined;
  let hostKey: string | undefined;
  for (const param of room.startsWith('relay=') ? [room, ...params] : params) {
    const [key, value = ''] = param.split('=');
    if (key === 'host' && hostKey === undefined && HOST_KEY.test(value) && !room.startsWith('relay=')) {
      hostKey = value;
      continue;
    }
    let decoded: string | null = null;
    try {
      decoded = parseSignalingUrl(decodeURIComponent(value));
    } catch {
      decoded = null;
    }
    if (key !== 'relay' || decoded === null || signalingUrl !== undefined) return { kind: 'invalid' };
    signalingUrl = decoded;
  }
  if (room.startsWith('relay=')) return signalingUrl ? { kind: 'none', signalingUrl } : { kind: 'none' };
  const [roomId, secret, ...rest] = room.split('.');
  if (rest.length > 0 || !roomId || !secret || !PART.test(roomId) || !PART.test(secret)) {
    return { kind: 'invalid' };
  }
  const link = signalingUrl ? { roomId, secret, signalingUrl } : { roomId, secret };
  return hostKey ? { kind: 'room', link, hostKey } : { kind: 'room', link };
}

export function formatRoomHash(link: RoomLink): string {
  const relay = link.signalingUrl ? `&relay=${encodeURIComponent(link.signalingUrl)}` : '';
  return `#${link.roomId}.${link.secret}${relay}`;
}

/** A new room: `roomId` comes from a fresh host key (client/src/storage/stored-keys.ts), the secret is random. */
export function newRoomLink(roomId: string = randomId(16), signalingUrl?: string): RoomLink {
  const link: RoomLink = { roomId, secret: randomId(16) };
  return signalingUrl ? { ...link, signalingUrl } : link;
}

/** The host link: the invite link plus the host key. Whoever opens it gets host controls. */
export function hostUrl(link: RoomLink, hostKey: string, page: { origin: string; pathname: string }): string {
  return `${inviteUrl(link, page)}&host=${hostKey}`;
}

/** The invite link as a person copies it: this page's address with the room in the hash. */
export function inviteUrl(link: RoomLink, page: { origin: string; pathname: string }): string {
  return `${page.origin}${page.pathname}${formatRoomHash(link)}`;
}

/** The signaling endpoint of the relay that served a page (a link without `relay=`): `/signal` beside it. */
export function signalingUrlFor(page: { protocol: string; host: string; pathname: string }): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = page.pathname.replace(/[^/]*$/, '');
  return `${scheme}//${page.host}${base}signal`;
}

/** An invite link as a relay node reads it: the room, and the signaling relay its people use. */
export interface InviteLink {
  link: RoomLink;
  /** `relay=` of the link, else `/signal` beside the page that the link opens. */
  signalingUrl: string;
  /** The link was a host link (it carries the host's private key, which a relay has no use for). */
  hostLink: boolean;
}

/** A whole invite (or host) link, `https://host/path/#<roomId>.<secret>[&relay=…]`; null if it is not one. */
export function parseInviteLink(text: string): InviteLink | null {
  if (typeof text !== 'string' || text.length > 2_048) return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const parsed = parseRoomHash(url.hash);
  if (parsed.kind !== 'room') return null;
  return { link: parsed.link, signalingUrl: parsed.link.signalingUrl ?? signalingUrlFor(url), hostLink: parsed.hostKey !== undefined };
}
