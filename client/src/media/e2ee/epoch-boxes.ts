import type { SigningIdentity } from '../../../../crdt/identity/host-identity';
import { fromBase64Url, toBase64Url } from '../../../../crdt/protocol/base64url';
import { EPOCH_SECRET_BYTES, signEpoch, type EpochMessage, type KeyPackage, type KeyPackageSecret } from './media-key-message';

/**
 * An epoch's secret sealed to each member's key package (PROTOCOL.md, "Media keys"):
 * ephemeral-static ECDH P-256 → HKDF-SHA-256 → AES-256-GCM, one box per member.
 *
 * A committer drafts its next epoch ahead of time (the ephemeral key, the secret, a box for
 * every key package it has heard, a newcomer's from its announce), so when the newcomer
 * becomes visible only its signature is left to make: on a busy page every WebCrypto call
 * is a trip through the event loop, and a join waits for this.
 */
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const utf8 = new TextEncoder();

export interface EpochDraft {
  room: string;
  epoch: number;
  secret: Uint8Array<ArrayBuffer>;
  eph: CryptoKeyPair;
  ephRaw: string;
  /** Per member: the package key its box is sealed to, and the box (IV ‖ ciphertext, base64url). */
  boxes: Map<string, { ecdh: string; box: Promise<string> }>;
}

export async function draftEpoch(room: string, epoch: number, secret = crypto.getRandomValues(new Uint8Array(EPOCH_SECRET_BYTES))): Promise<EpochDraft> {
  const eph = await crypto.subtle.generateKey(ECDH, true, ['deriveBits']);
  const ephRaw = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', eph.publicKey)));
  return { room, epoch, secret, eph, ephRaw, boxes: new Map() };
}

/** Starts (or reuses) the box of member `id` in the draft. */
export function boxFor(d: EpochDraft, id: string, pkg: KeyPackage): Promise<string> {
  const made = d.boxes.get(id);
  if (made?.ecdh === pkg.ecdh) return made.box;
  const box = sealBox(d, id, pkg.ecdh);
  d.boxes.set(id, { ecdh: pkg.ecdh, box });
  return box;
}

/** The signed epoch message of a draft for `members` (peer id → their verified key package). */
export async function finishEpoch(committer: SigningIdentity, d: EpochDraft, members: Map<string, KeyPackage>): Promise<EpochMessage> {
  const ids = [...members.keys()].sort();
  const sealed = await Promise.all(ids.map((id) => boxFor(d, id, members.get(id)!)));
  const boxes = Object.fromEntries(ids.map((id, i) => [id, sealed[i]!]));
  return signEpoch(committer, { t: 'epoch', room: d.room, epoch: d.epoch, by: committer.publicKey, members: ids, eph: d.ephRaw, boxes });
}

/** A new epoch for `members` in one go. */
export async function sealEpoch(
  committer: SigningIdentity,
  room: string,
  epoch: number,
  secret: Uint8Array<ArrayBuffer>,
  members: Map<string, KeyPackage>,
): Promise<EpochMessage> {
  return finishEpoch(committer, await draftEpoch(room, epoch, secret), members);
}

/** Our epoch secret from a verified epoch message, or null if it has no box for us that opens. */
export async function openEpoch(m: EpochMessage, selfId: string, own: KeyPackageSecret): Promise<Uint8Array<ArrayBuffer> | null> {
  const box = m.boxes[selfId];
  if (!box) return null;
  try {
    const bytes = fromBase64Url(box);
    const key = await boxKey(own.privateKey, m.eph, m.room, m.epoch, selfId);
    const secret = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, key, bytes.slice(12)));
    return secret.length === EPOCH_SECRET_BYTES ? secret : null;
  } catch {
    return null;
  }
}

async function sealBox(d: EpochDraft, id: string, ecdh: string): Promise<string> {
  const key = await boxKey(d.eph.privateKey, ecdh, d.room, d.epoch, id);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, d.secret));
  const box = new Uint8Array(iv.length + cipher.length);
  box.set(iv);
  box.set(cipher, iv.length);
  return toBase64Url(box);
}

/** The box key between an ECDH pair, for one member of one epoch. */
async function boxKey(privateKey: CryptoKey, publicRaw: string, room: string, epoch: number, member: string): Promise<CryptoKey> {
  const pub = await crypto.subtle.importKey('raw', fromBase64Url(publicRaw) as Uint8Array<ArrayBuffer>, ECDH, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: pub }, privateKey, 256);
  const base = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(room), info: utf8.encode(`confab/epoch-box/v1 ${epoch} ${member}`) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
