import { describe, expect, it } from 'vitest';
import { fromBase64Url } from '../../../../crdt/protocol/base64url';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink } from '../../../../crdt/identity/room-link';

describe('room keys (real WebCrypto)', () => {
  it('seals so that only holders of the same link can open', async () => {
    const link = newRoomLink();
    const [a, b] = await Promise.all([deriveRoomKeys(link), deriveRoomKeys(link)]);
    const sealed = await a.seal({ hello: 'world' });
    expect(sealed).not.toContain('hello');
    expect(await b.open(sealed)).toEqual({ hello: 'world' });
  });

  it('a wrong secret opens nothing (null, never a throw)', async () => {
    const link = newRoomLink();
    const honest = await deriveRoomKeys(link);
    const stranger = await deriveRoomKeys({ roomId: link.roomId, secret: newRoomLink().secret });
    expect(stranger.roomTopic).toBe(honest.roomTopic);
    expect(await stranger.open(await honest.seal({ x: 1 }))).toBeNull();
  });

  it('tampered or garbage ciphertext opens to null', async () => {
    const keys = await deriveRoomKeys(newRoomLink());
    const sealed = await keys.seal('payload');
    const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
    for (const bad of [flipped, '', 'AAAA', '!!!not base64!!!', sealed.slice(0, 10)]) {
      expect(await keys.open(bad)).toBeNull();
    }
  });

  it('topics are hashes that reveal neither the room id nor the peer id', async () => {
    const link = newRoomLink();
    const keys = await deriveRoomKeys(link);
    const peerTopic = await keys.peerTopic('peer-123');
    for (const topic of [keys.roomTopic, peerTopic]) {
      expect(topic).toMatch(/^[\w-]{43}$/);
      expect(topic).not.toContain(link.roomId);
    }
    expect(peerTopic).not.toBe(await keys.peerTopic('peer-124'));
  });

  it('room messages through a relay: only the same link opens them, and nothing sealed for signaling passes as one', async () => {
    const link = newRoomLink();
    const [a, b] = await Promise.all([deriveRoomKeys(link), deriveRoomKeys(link)]);
    const stranger = await deriveRoomKeys({ roomId: link.roomId, secret: newRoomLink().secret });
    const plain = new TextEncoder().encode('a chat message');
    const sealed = await a.sealMessage(plain);
    expect(new TextDecoder().decode(sealed)).not.toContain('chat');
    expect(await b.openMessage(sealed)).toEqual(plain);
    expect(await stranger.openMessage(sealed)).toBeNull();
    const flipped = sealed.slice();
    flipped[20]! ^= 1;
    expect(await b.openMessage(flipped)).toBeNull();
    expect(await b.openMessage(new Uint8Array(5))).toBeNull();
    // The signaling key is another key: a sealed signal replayed on the room channel opens to nothing.
    const signal = await a.seal({ kind: 'bye' });
    expect(await b.openMessage(fromBase64Url(signal))).toBeNull();
  });
});
