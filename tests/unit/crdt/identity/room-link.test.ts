import { describe, expect, it } from 'vitest';
import { formatRoomHash, hostUrl, inviteUrl, newRoomLink, parseRoomHash } from '../../../../crdt/identity/room-link';

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

  it('carries a relay for static hosts, round-trips it, and accepts only WebSocket URLs', () => {
    const link = newRoomLink(undefined, 'wss://relay.example:8443/signal');
    const hash = formatRoomHash(link);
    expect(hash).toContain('&relay=wss%3A%2F%2Frelay.example%3A8443%2Fsignal');
    expect(parseRoomHash(hash)).toEqual({ kind: 'room', link });
    expect(parseRoomHash('#relay=ws%3A%2F%2F127.0.0.1%3A9%2Fsignal')).toEqual({ kind: 'none', signalingUrl: 'ws://127.0.0.1:9/signal' });
    const { roomId, secret } = link;
    for (const bad of [
      `#${roomId}.${secret}&relay=https%3A%2F%2Fevil.example`,
      `#${roomId}.${secret}&relay=javascript%3Aalert(1)`,
      `#${roomId}.${secret}&relay=%E0%A4%A`,
      `#${roomId}.${secret}&relay=ws%3A%2F%2Fa&relay=ws%3A%2F%2Fb`,
      `#${roomId}.${secret}&other=1`,
      `#${roomId}.${secret}&relay=ws%3A%2F%2F${'a'.repeat(600)}`,
      '#relay=ftp%3A%2F%2Fx',
    ]) {
      expect(parseRoomHash(bad), bad).toEqual({ kind: 'invalid' });
    }
  });

  it('a host link is the invite link plus the host key, with or without a relay', () => {
    for (const link of [newRoomLink(), newRoomLink(undefined, 'ws://127.0.0.1:9/signal')]) {
      const url = hostUrl(link, 'HOSTKEY_abc-123', { origin: 'http://h', pathname: '/' });
      expect(parseRoomHash(new URL(url).hash)).toEqual({ kind: 'room', link, hostKey: 'HOSTKEY_abc-123' });
    }
    const { roomId, secret } = newRoomLink();
    for (const bad of [`#${roomId}.${secret}&host=`, `#${roomId}.${secret}&host=a&host=b`, `#${roomId}.${secret}&host=%20x`, '#relay=ws%3A%2F%2Fa&host=k']) {
      expect(parseRoomHash(bad), bad).toEqual({ kind: 'invalid' });
    }
  });
});
