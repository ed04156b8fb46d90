import { fromBase64Url, toBase64Url } from '../protocol/base64url';
import { sign, verify, type SigningIdentity } from './host-identity';

/**
 * Every participant has a per-session signing key. Its peer id is a hash of the public key,
 * so nobody can speak as a peer id without the private key, and each offer/answer carries a
 * signature over the DTLS fingerprint in its SDP, so the media connection itself is bound to
 * the key: a peer that relays someone else's SDP cannot make it its own.
 */
const PEER_ID_BYTES = 12;

export async function peerIdForKey(publicKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fromBase64Url(publicKey)));
  return toBase64Url(digest.subarray(0, PEER_ID_BYTES));
}

/** True when `publicKey` is well formed and hashes to `peerId`. */
export async function keyMatchesPeerId(publicKey: unknown, peerId: string): Promise<boolean> {
  if (typeof publicKey !== 'string' || publicKey.length > 128) return false;
  try {
    return (await peerIdForKey(publicKey)) === peerId;
  } catch {
    return false;
  }
}

/** The sha-256 DTLS fingerprints an SDP announces, in order, upper-cased. */
export function dtlsFingerprints(sdp: string): string[] {
  const out: string[] = [];
  for (const match of sdp.matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/gm)) {
    out.push(`${match[1]!.toLowerCase()} ${match[2]!.toUpperCase()}`);
  }
  return out;
}

function bindingBytes(roomId: string, from: string, to: string, sdp: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(['confab/dtls/v1', roomId, from, to, dtlsFingerprints(sdp)]));
}

/** Signs "peer `from` owns the DTLS certificate in this SDP, for its connection to `to`". */
export function signDescription(identity: SigningIdentity, roomId: string, from: string, to: string, sdp: string): Promise<string> {
  return sign(identity, bindingBytes(roomId, from, to, sdp));
}

/** False unless the SDP has a fingerprint and `sig` by `publicKey` covers it. Never throws. */
export async function verifyDescription(
  publicKey: string,
  sig: unknown,
  binding: { roomId: string; from: string; to: string; sdp: string },
): Promise<boolean> {
  if (typeof sig !== 'string' || sig.length > 256 || dtlsFingerprints(binding.sdp).length === 0) return false;
  return verify(publicKey, sig, bindingBytes(binding.roomId, binding.from, binding.to, binding.sdp));
}
