import { randomId } from './bytes';

/** What a room link carries in its hash: the hash never reaches a server. */
export interface RoomLink {
  roomId: string;
  secret: string;
}

const PART = /^[A-Za-z0-9_-]{22}$/;

export type ParsedHash = { kind: 'none' } | { kind: 'room'; link: RoomLink } | { kind: 'invalid' };

export function parseRoomHash(hash: string): ParsedHash {
  const body = hash.replace(/^#/, '');
  if (body === '') return { kind: 'none' };
  const [roomId, secret, ...rest] = body.split('.');
  if (rest.length > 0 || !roomId || !secret || !PART.test(roomId) || !PART.test(secret)) {
    return { kind: 'invalid' };
  }
  return { kind: 'room', link: { roomId, secret } };
}

export function formatRoomHash(link: RoomLink): string {
  return `#${link.roomId}.${link.secret}`;
}

export function newRoomLink(): RoomLink {
  return { roomId: randomId(16), secret: randomId(16) };
}

/** The invite link as a person copies it: this page's address with the room in the hash. */
export function inviteUrl(link: RoomLink, page: { origin: string; pathname: string }): string {
  return `${page.origin}${page.pathname}${formatRoomHash(link)}`;
}
