import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { fromBase64Url, toBase64Url } from '../../../../crdt/protocol/base64url';
import { repoRoot } from '../../../support/relay-process';

/** The `vectors` block of PROTOCOL.md's "Test vectors", as name → value. */
function documentedVectors(): Map<string, string> {
  const doc = readFileSync(join(repoRoot, 'PROTOCOL.md'), 'utf8');
  const block = /```vectors\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('PROTOCOL.md has no ```vectors block');
  return new Map(block.trim().split('\n').map((line) => line.split(/\s+=\s+/).map((s) => s.trim()) as [string, string]));
}

const vectors = documentedVectors();
const vector = (name: string): string => {
  const value = vectors.get(name);
  if (value === undefined) throw new Error(`PROTOCOL.md's vectors have no "${name}"`);
  return value;
};
const link = { roomId: vector('room id'), secret: vector('room secret') };
const signalingKey = Buffer.from(vector('signaling key (confab/signaling/v1)'), 'hex');
const messageKey = Buffer.from(vector('room-message key (confab/room-messages/v1)'), 'hex');

/** AES-256-GCM as PROTOCOL.md describes it, with Node's crypto, not the code's WebCrypto. */
function openAsDocumented(key: Buffer, sealed: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}
function sealAsDocumented(key: Buffer, plain: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

describe("PROTOCOL.md's test vectors", () => {
  it('the documented keys are HKDF-SHA-256 of the secret bytes, salted with the room id text', () => {
    const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', fromBase64Url(link.secret), Buffer.from(link.roomId, 'utf8'), Buffer.from(info, 'utf8'), 32));
    expect(hkdf('confab/signaling/v1').toString('hex')).toBe(signalingKey.toString('hex'));
    expect(hkdf('confab/room-messages/v1').toString('hex')).toBe(messageKey.toString('hex'));
  });

  it('the code derives the documented topics', async () => {
    const keys = await deriveRoomKeys(link);
    expect(keys.roomTopic).toBe(vector('room topic'));
    expect(await keys.peerTopic(vector('peer id'))).toBe(vector('peer topic'));
  });

  it('what the code seals opens with the documented keys and framing, and the reverse', async () => {
    const keys = await deriveRoomKeys(link);
    const envelope = { v: 1, from: vector('peer id'), msg: { kind: 'bye' } };
    const sealed = fromBase64Url(await keys.seal(envelope));
    expect(JSON.parse(openAsDocumented(signalingKey, sealed).toString('utf8'))).toEqual(envelope);
    expect(await keys.open(toBase64Url(sealAsDocumented(signalingKey, Buffer.from(JSON.stringify(envelope)))))).toEqual(envelope);

    const piece = Uint8Array.from([1, 2, 3, 250]);
    expect([...openAsDocumented(messageKey, await keys.sealMessage(piece))]).toEqual([...piece]);
    expect([...((await keys.openMessage(sealAsDocumented(messageKey, piece))) ?? [])]).toEqual([...piece]);
    // Keys are per purpose: a signaling seal is no room message.
    expect(await keys.openMessage(sealAsDocumented(signalingKey, piece))).toBeNull();
  });
});
