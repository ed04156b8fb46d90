import { describe, expect, it } from 'vitest';
import { formatRoomHash, inviteUrl, newRoomLink, parseRoomHash } from '../../client/src/net/room-link';

describe('room links', () => {
  it('round-trips a new room through the hash', () => {
    const link = newRoomLink();
    expect(parseRoomHash(formatRoomHash(link))).toEqual({ kind: 'room', link });
    expect(link.roomId).not.toBe(link.secret);
  });

  it('an empty hash is the home page', () => {
    expect(parseRoomHash('')).toEqual({ kind: 'none' });
    expect(parseRoomHash('#')).toEqual({ kind: 'none' });
  });

  it('rejects cut-short, padded, extra-part and foreign-alphabet links', () => {
    const { roomId, secret } = newRoomLink();
    for (const bad of [
      `#${roomId}`,
      `#${roomId}.`,
      `#${roomId}.${secret.slice(1)}`,
      `#${roomId}.${secret}.extra`,
      `#${roomId}.${secret}=`,
      `#${roomId.replace(/./, '+')}.${secret}`,
      '#<script>alert(1)</script>',
      '#' + 'a'.repeat(10_000),
    ]) {
      expect(parseRoomHash(bad), bad).toEqual({ kind: 'invalid' });
    }
  });

  it('builds the invite link from the page address, keeping the secret in the hash', () => {
    const link = newRoomLink();
    const url = inviteUrl(link, { origin: 'http://192.0.2.1:8080', pathname: '/confab/' });
    expect(url).toBe(`http://192.0.2.1:8080/confab/#${link.roomId}.${link.secret}`);
    expect(new URL(url).search).toBe('');
  });
});
