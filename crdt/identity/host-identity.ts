import { fromBase64Url, toBase64Url } from '../protocol/base64url';

/**
 * The host is a key, not an account (design.md, principle 3). Creating a room makes an ECDSA
 * P-256 key pair; the room id is a hash of its public key, so only the holder of the private
 * key can sign records that peers accept as the host's.
 */
export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_PARAMS = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ROOM_ID_BYTES = 16;

export interface SigningIdentity {
  /** Raw uncompressed P-256 point, base64url: how records name their signer. */
  publicKey: string;
  privateKey: CryptoKey;
}

export async function newSigningIdentity(): Promise<SigningIdentity> {
  const pair = await crypto.subtle.generateKey(SIGNING_ALGORITHM, true, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey: toBase64Url(raw), privateKey: pair.privateKey };
}

/** The room id that a host public key owns: the first 16 bytes of its SHA-256. */
export async function roomIdForHostKey(publicKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fromBase64Url(publicKey)));
  return toBase64Url(digest.subarray(0, ROOM_ID_BYTES));
}

/** The private half as it travels in a host link: base64url of d ‖ raw public key. */
export async function exportHostKey(identity: SigningIdentity): Promise<string> {
  const jwk = await crypto.subtle.exportKey('jwk', identity.privateKey);
  const d = fromBase64Url(jwk.d!);
  const pub = fromBase64Url(identity.publicKey);
  const out = new Uint8Array(d.length + pub.length);
  out.set(d);
  out.set(pub, d.length);
  return toBase64Url(out);
}

/** Returns null for anything that is not a valid exported host key. */
export async function importHostKey(exported: string): Promise<SigningIdentity | null> {
  try {
    const bytes = fromBase64Url(exported);
    if (bytes.length !== 32 + 65 || bytes[32] !== 0x04) return null;
    const pub = bytes.subarray(32);
    const jwk: JsonWebKey = {
      kty: 'EC',
      crv: 'P-256',
      d: toBase64Url(bytes.subarray(0, 32)),
      x: toBase64Url(pub.subarray(1, 33)),
      y: toBase64Url(pub.subarray(33, 65)),
      ext: true,
    };
    const privateKey = await crypto.subtle.importKey('jwk', jwk, SIGNING_ALGORITHM, true, ['sign']);
    return { publicKey: toBase64Url(pub), privateKey };
  } catch {
    return null;
  }
}

export async function sign(identity: SigningIdentity, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS, identity.privateKey, bytes)));
}

/** False (never a throw) for a bad key, a bad signature or garbage in either. */
/** Imported verification keys: a room's entries come from a few dozen keys, verified again and again. */
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const MAX_VERIFY_KEYS = 1_000;

function verifyKey(publicKey: string): Promise<CryptoKey> {
  let key = verifyKeys.get(publicKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', fromBase64Url(publicKey), SIGNING_ALGORITHM, false, ['verify']);
    if (verifyKeys.size >= MAX_VERIFY_KEYS) verifyKeys.clear();
    verifyKeys.set(publicKey, key);
    key.catch(() => verifyKeys.delete(publicKey));
  }
  return key;
}

export async function verify(publicKey: string, signature: string, bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    const key = await verifyKey(publicKey);
    return await crypto.subtle.verify(SIGN_PARAMS, key, fromBase64Url(signature), bytes);
  } catch {
    return false;
  }
}
