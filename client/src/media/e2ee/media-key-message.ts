import { sign, verify, type SigningIdentity } from '../../../../crdt/identity/host-identity';
import { keyMatchesPeerId } from '../../../../crdt/identity/participant-identity';
import { toBase64Url } from '../../../../crdt/protocol/base64url';

const utf8 = new TextEncoder();

/**
 * The three media-key messages (PROTOCOL.md, "Media keys"), JSON on ChannelTag.MediaKey over
 * peer links and relay room channels alike:
 *
 * - a **key package**: a member's ECDH P-256 public key, signed by its participant key, so a
 *   committer can seal an epoch secret to it and to nobody else;
 * - an **epoch**: the committer's new epoch number, the members (peer ids, sender-index order),
 *   the epoch secret sealed to each member's key package (ephemeral-static ECDH → HKDF →
 *   AES-GCM: epoch-boxes.ts), all signed by the committer's participant key. Whoever relays it (a relay node,
 *   anyone holding the link) learns who is in the epoch, never its secret;
 * - a **held** notice: a member saying, signed, that it now opens an epoch's frames, so the
 *   others seal under that epoch as soon as everyone holds it instead of after a fixed wait.
 */
export const EPOCH_SECRET_BYTES = 32;
/** Far above 50 members' boxes (~120 bytes each). */
export const MAX_KEY_MESSAGE_BYTES = 16_384;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

export interface KeyPackage {
  t: 'package';
  room: string;
  /** The member's participant public key (its peer id is this key's hash). */
  key: string;
  /** Raw ECDH P-256 public key, base64url. */
  ecdh: string;
  sig: string;
}

export interface EpochMessage {
  t: 'epoch';
  room: string;
  epoch: number;
  /** The committer's participant public key. */
  by: string;
  members: string[];
  /** Ephemeral ECDH public key of this message. */
  eph: string;
  /** Per member peer id: IV ‖ AES-GCM(epoch secret). */
  boxes: Record<string, string>;
  sig: string;
}

export interface HeldMessage {
  t: 'held';
  room: string;
  epoch: number;
  /** The epoch's committer (participant public key): two epochs may share a number. */
  by: string;
  /** The member's participant public key. */
  key: string;
  sig: string;
}

export type KeyMessage = KeyPackage | EpochMessage | HeldMessage;

export interface KeyPackageSecret {
  pkg: KeyPackage;
  privateKey: CryptoKey;
}

const packageText = (p: Omit<KeyPackage, 'sig'>) => utf8.encode(JSON.stringify(['confab/key-package/v1', p.room, p.key, p.ecdh]));
const epochText = (m: Omit<EpochMessage, 'sig'>) =>
  utf8.encode(JSON.stringify(['confab/epoch/v1', m.room, m.epoch, m.by, m.members, m.eph, m.members.map((id) => m.boxes[id] ?? '')]));

const heldText = (m: Omit<HeldMessage, 'sig'>) => utf8.encode(JSON.stringify(['confab/epoch-held/v1', m.room, m.epoch, m.by, m.key]));

export async function heldNotice(identity: SigningIdentity, room: string, epoch: number, by: string): Promise<HeldMessage> {
  const body = { t: 'held' as const, room, epoch, by, key: identity.publicKey };
  return { ...body, sig: await sign(identity, heldText(body)) };
}

export async function newKeyPackage(room: string, identity: SigningIdentity): Promise<KeyPackageSecret> {
  const pair = await crypto.subtle.generateKey(ECDH, false, ['deriveBits']);
  const ecdh = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  const body = { t: 'package' as const, room, key: identity.publicKey, ecdh };
  return { pkg: { ...body, sig: await sign(identity, packageText(body)) }, privateKey: pair.privateKey };
}

/** The committer's signature over an epoch message's body. */
export async function signEpoch(committer: SigningIdentity, body: Omit<EpochMessage, 'sig'>): Promise<EpochMessage> {
  return { ...body, sig: await sign(committer, epochText(body)) };
}

export function encodeKeyMessage(m: KeyMessage): Uint8Array {
  return utf8.encode(JSON.stringify(m));
}

const isText = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** A well-formed key message whose signature holds (a package's and a notice's by their member's key, an epoch's by its committer), else null. */
export async function decodeKeyMessage(bytes: Uint8Array, room: string): Promise<KeyMessage | null> {
  const m = readKeyMessage(bytes, room);
  return m && (await keyMessageSigned(m)) ? m : null;
}

/** Whether a key message's signature holds (see decodeKeyMessage). */
export function keyMessageSigned(m: KeyMessage): Promise<boolean> {
  if (m.t === 'package') return verify(m.key, m.sig, packageText(m));
  if (m.t === 'held') return verify(m.key, m.sig, heldText(m));
  return verify(m.by, m.sig, epochText(m));
}

/** A well-formed key message, its signature not yet checked (keyMessageSigned), else null. */
export function readKeyMessage(bytes: Uint8Array, room: string): KeyMessage | null {
  if (bytes.length > MAX_KEY_MESSAGE_BYTES) return null;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null || m.room !== room || !isText(m.sig) || !isText(m.key ?? m.by)) return null;
  if (m.t === 'package') return isText(m.ecdh) ? { t: 'package', room, key: m.key as string, ecdh: m.ecdh, sig: m.sig } : null;
  if (m.t === 'held') {
    if (!isText(m.key) || !isText(m.by) || !Number.isSafeInteger(m.epoch) || (m.epoch as number) < 0) return null;
    return { t: 'held', room, epoch: m.epoch as number, by: m.by, key: m.key, sig: m.sig };
  }
  if (m.t !== 'epoch' || !Number.isSafeInteger(m.epoch) || (m.epoch as number) < 0 || !isText(m.eph)) return null;
  const members = m.members;
  const boxes = m.boxes as Record<string, unknown> | null;
  if (!Array.isArray(members) || members.length === 0 || members.length > 255 || typeof boxes !== 'object' || boxes === null) return null;
  if (!members.every((id) => isText(id, 64) && isText(boxes[id], 200)) || new Set(members).size !== members.length) return null;
  return {
    t: 'epoch',
    room,
    epoch: m.epoch as number,
    by: m.by as string,
    members: members as string[],
    eph: m.eph,
    boxes: Object.fromEntries((members as string[]).map((id) => [id, boxes[id] as string])),
    sig: m.sig,
  };
}

/** The peer id a key package belongs to must be the hash of its key (no one packages for another). */
export function packageOf(pkg: KeyPackage, peerId: string): Promise<boolean> {
  return keyMatchesPeerId(pkg.key, peerId);
}
