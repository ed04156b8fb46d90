import { describe, expect, it } from 'vitest';
import { newSigningIdentity } from '../../../../crdt/identity/host-identity';
import { dtlsFingerprints, keyMatchesPeerId, peerIdForKey, signDescription, verifyDescription } from '../../../../crdt/identity/participant-identity';

const FP_A = 'AB:CD:'.repeat(15) + 'EF:01';
const sdpWith = (...fps: string[]) => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', ...fps.map((f) => `a=fingerprint:sha-256 ${f}`), 'a=setup:actpass', ''].join('\r\n');

describe('participant keys (real WebCrypto)', () => {
  it('a peer id is a hash of the key: only that key matches it', async () => {
    const alice = await newSigningIdentity();
    const mallory = await newSigningIdentity();
    const id = await peerIdForKey(alice.publicKey);
    expect(id).toMatch(/^[\w-]{16}$/);
    expect(await keyMatchesPeerId(alice.publicKey, id)).toBe(true);
    expect(await keyMatchesPeerId(mallory.publicKey, id)).toBe(false);
    for (const junk of [undefined, 5, '', '!!!', 'x'.repeat(129)]) expect(await keyMatchesPeerId(junk, id)).toBe(false);
  });

  it('reads every DTLS fingerprint of an SDP, normalised', () => {
    expect(dtlsFingerprints(sdpWith(FP_A.toLowerCase(), '11:22'))).toEqual([`sha-256 ${FP_A}`, 'sha-256 11:22']);
    expect(dtlsFingerprints('v=0\r\n')).toEqual([]);
  });

  it('a description signature binds the DTLS fingerprint, both peer ids and the room to the key', async () => {
    const alice = await newSigningIdentity();
    const mallory = await newSigningIdentity();
    const sdp = sdpWith(FP_A);
    const binding = { roomId: 'room', from: 'alice', to: 'bob', sdp };
    const sig = await signDescription(alice, 'room', 'alice', 'bob', sdp);
    expect(await verifyDescription(alice.publicKey, sig, binding)).toBe(true);
    // Another certificate, another recipient, another room, another signer: all refused.
    expect(await verifyDescription(alice.publicKey, sig, { ...binding, sdp: sdpWith('00:11') })).toBe(false);
    expect(await verifyDescription(alice.publicKey, sig, { ...binding, to: 'carol' })).toBe(false);
    expect(await verifyDescription(alice.publicKey, sig, { ...binding, roomId: 'other' })).toBe(false);
    expect(await verifyDescription(mallory.publicKey, sig, binding)).toBe(false);
    // Only ICE details changed (same certificate): still the same binding, so ICE restarts work.
    expect(await verifyDescription(alice.publicKey, sig, { ...binding, sdp: sdp + 'a=ice-ufrag:new\r\n' })).toBe(true);
    // An SDP without a fingerprint can never verify; garbage signatures are false, not thrown.
    expect(await verifyDescription(alice.publicKey, await signDescription(alice, 'room', 'alice', 'bob', 'v=0'), { ...binding, sdp: 'v=0' })).toBe(false);
    for (const junk of [undefined, 7, 'AAAA', 'x'.repeat(300)]) expect(await verifyDescription(alice.publicKey, junk, binding)).toBe(false);
  });
});
