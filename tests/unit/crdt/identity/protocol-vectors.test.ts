import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPublicKey, hkdfSync, randomBytes, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { importHostKey, roomIdForHostKey, verify } from '../../../../crdt/identity/host-identity';
import { dtlsFingerprints, peerIdForKey, signDescription, verifyDescription } from '../../../../crdt/identity/participant-identity';
import { relayAccessFor } from '../../../../crdt/identity/relay-access';
import { RelayPresenceSigner, verifyRelaySignal } from '../../../../crdt/identity/relay-presence-auth';
import { relayIdFor } from '../../../../crdt/protocol/relay-presence';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { decodeRoomMessage, encodeRoomMessage } from '../../../../crdt/protocol/room-message-frame';
import { foldControls, signControl } from '../../../../crdt/room/control-records';
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

/** The host key's public half as Node's crypto takes it. */
function nodePublicKey(raw: Uint8Array) {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: toBase64Url(raw.subarray(1, 33)), y: toBase64Url(raw.subarray(33)) }, format: 'jwk' });
}
/** An ECDSA P-256 / SHA-256 signature as documented: raw r ‖ s, base64url. */
function verifiesAsDocumented(publicKey: string, sig: string, input: string): boolean {
  return nodeVerify('sha256', Buffer.from(input, 'utf8'), { key: nodePublicKey(fromBase64Url(publicKey)), dsaEncoding: 'ieee-p1363' }, fromBase64Url(sig));
}
/** The same signature in DER, as many libraries write it. */
function toDer(sig: string): Uint8Array {
  const raw = fromBase64Url(sig);
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? Uint8Array.from([0, ...v]) : v;
  };
  const [r, s] = [int(raw.subarray(0, 32)), int(raw.subarray(32))];
  return Uint8Array.from([0x30, r.length + s.length + 4, 2, r.length, ...r, 2, s.length, ...s]);
}

describe("PROTOCOL.md's test vectors: keys, records and framing", () => {
  it('the relay-access key, gate and access are HKDF and HMAC as documented, and the code proves the same', async () => {
    const key = Buffer.from(hkdfSync('sha256', fromBase64Url(link.secret), Buffer.from(link.roomId, 'utf8'), Buffer.from('confab/relay-access/v1', 'utf8'), 32));
    expect(key.toString('hex')).toBe(vector('relay-access key (confab/relay-access/v1)'));
    expect(toBase64Url(createHmac('sha256', key).update('confab/relay-gate/v1').digest().subarray(0, 16))).toBe(vector('gate'));
    const input = JSON.stringify(['confab/relay-access/v1', vector('access nonce'), vector('room topic'), vector('peer id'), vector('gate')]);
    expect(input).toBe(vector('access input'));
    expect(toBase64Url(createHmac('sha256', key).update(input).digest())).toBe(vector('access'));

    const access = await relayAccessFor(link.secret, link.roomId);
    expect(access.gate).toBe(vector('gate'));
    const binding = { nonce: vector('access nonce'), room: vector('room topic'), peer: vector('peer id') };
    expect(await access.prove(binding)).toBe(vector('access'));
    expect(await access.check(binding, vector('gate'), vector('access'))).toBe(true);
  });

  it('the host key: raw uncompressed point from d, its host-link form, room id and peer id', async () => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(fromBase64Url(vector('host private key d')));
    expect(toBase64Url(ecdh.getPublicKey())).toBe(vector('host public key'));
    const host = await importHostKey(vector('host link key'));
    expect(host?.publicKey).toBe(vector('host public key'));
    expect(await roomIdForHostKey(vector('host public key'))).toBe(vector('host room id'));
    expect(await peerIdForKey(vector('host public key'))).toBe(vector('host peer id'));
  });

  it('a control record: the documented input is what the code signs and checks, the documented signature verifies (raw r‖s, not DER)', async () => {
    const roomId = vector('host room id');
    const publicKey = vector('host public key');
    const input = vector('lock record signing input');
    expect(JSON.stringify([1, roomId, 'lock', null, 1, 1_700_000_000_000, publicKey])).toBe(input);
    const record = { v: 1, room: roomId, kind: 'lock', target: null, seq: 1, at: 1_700_000_000_000, by: publicKey, sig: vector('lock record sig') };
    expect(fromBase64Url(record.sig)).toHaveLength(64);
    expect(verifiesAsDocumented(publicKey, record.sig, input)).toBe(true);
    expect(await verify(publicKey, record.sig, new TextEncoder().encode(input))).toBe(true);
    // The code folds the documented record: its own signing input is the documented one.
    const folded = await foldControls(roomId, [record]);
    expect(folded.rejected).toEqual([]);
    expect(folded.state.locked).toBe(true);
    // A DER signature over the same input is refused.
    expect(await foldControls(roomId, [{ ...record, sig: toBase64Url(toDer(record.sig)) }])).toMatchObject({ applied: [] });
    // And what the code signs verifies over the documented input with Node's own crypto.
    const host = (await importHostKey(vector('host link key')))!;
    const mine = await signControl(host, { room: roomId, kind: 'lock', seq: 1, at: 1_700_000_000_000 });
    expect(verifiesAsDocumented(publicKey, mine.sig, input)).toBe(true);
  });

  it('a description signature covers the SDP’s fingerprint lines as documented', async () => {
    const lines = vector('description fingerprint lines').split(' | ');
    const sdp = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n${lines[0]}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n${lines[1]}\r\n`;
    const [roomId, from, to] = [vector('host room id'), vector('host peer id'), vector('peer id')];
    const input = vector('description sig input');
    expect(JSON.stringify(['confab/dtls/v1', roomId, from, to, dtlsFingerprints(sdp)])).toBe(input);
    const host = (await importHostKey(vector('host link key')))!;
    const sig = await signDescription(host, roomId, from, to, sdp);
    expect(verifiesAsDocumented(host.publicKey, sig, input)).toBe(true);
    expect(await verifyDescription(host.publicKey, sig, { roomId, from, to, sdp })).toBe(true);
    expect(await verifyDescription(host.publicKey, sig, { roomId, from, to: from, sdp })).toBe(false);
  });

  it('a joined relay’s id is the documented hash of URL and key; its goodbye signs the documented input', async () => {
    const [url, key, roomId] = [vector('relay url'), vector('host public key'), vector('host room id')];
    const id = createHash('sha256').update(JSON.stringify(['confab/relay-id/v2', url, key])).digest().subarray(0, 12);
    expect(toBase64Url(id)).toBe(vector('relay id'));
    expect(await relayIdFor(url, key)).toBe(vector('relay id'));
    const relayKey = (await importHostKey(vector('host link key')))!;
    const signer = await RelayPresenceSigner.create(roomId, relayKey, url, 6);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000); // the relay's clock gives the seq
    const bye = await signer.signal('relay-bye');
    vi.useRealTimers();
    expect(bye.seq).toBe(1_700_000_000_000);
    expect(verifiesAsDocumented(key, bye.sig, vector('relay-bye signing input'))).toBe(true);
    expect(await verifyRelaySignal(roomId, { from: bye.relay.id, msg: bye })).toBe('ok');
  });

  it('a room message’s inner bytes, before sealing', () => {
    const hex = vector('room message inner (hex)').replace(/\s+/g, '');
    const inner = encodeRoomMessage(vector('host peer id'), vector('peer id'), 3, Uint8Array.from([1, 2, 3]));
    expect(Buffer.from(inner).toString('hex')).toBe(hex);
    expect(decodeRoomMessage(Uint8Array.from(Buffer.from(hex, 'hex')))).toEqual({ from: vector('host peer id'), to: vector('peer id'), tag: 3, bytes: Uint8Array.from([1, 2, 3]) });
  });
});
