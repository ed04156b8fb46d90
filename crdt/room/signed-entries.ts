import { sign, verify, type SigningIdentity } from '../identity/host-identity';
import { keyMatchesPeerId, peerIdForKey } from '../identity/participant-identity';
import { MAX_RELAY_URL_CHARS, readChat, readParticipant, type ChatMessage, type Participant, type RelayChoice } from './room-schema';

/**
 * The room document's entries, each signed by its author's participant key (PROTOCOL.md,
 * "Signed entries"). A participant entry is valid only under the key that hashes to its map
 * key, a chat message only under the key that hashes to its `from`: nobody writes as anyone
 * else. Signatures cover the room id, so an entry cannot be replayed into another room.
 */
const MAX_KEY_CHARS = 128;
const MAX_SIG_CHARS = 256;

export interface Signature {
  /** The author's participant public key (raw P-256, base64url). */
  key: string;
  sig: string;
}

/** A participant entry as stored: `rev` grows with each write by its author (the newest wins). */
export type SignedParticipant = Participant & Signature & { rev: number };
export type SignedChat = ChatMessage & Signature;
/** `relay` null: back to a mesh. `by`: the peer id of the signer. */
export interface SignedRelayChoice extends Signature {
  relay: string | null;
  at: number;
  by: string;
}

const encode = (parts: unknown[]): Uint8Array<ArrayBuffer> => new TextEncoder().encode(JSON.stringify(parts));

function participantBytes(roomId: string, p: Participant & { rev: number; key: string }): Uint8Array<ArrayBuffer> {
  return encode([
    'confab/participant/v1',
    roomId,
    p.id,
    p.key,
    p.rev,
    p.name,
    p.micOn,
    p.camOn,
    p.screenOn === true,
    p.joinedAt,
    p.leftAt ?? null,
    p.handUpAt ?? null,
    p.reaction ? [p.reaction.emoji, p.reaction.at] : null,
    // Appended only when present, so entries signed before recording existed still verify.
    ...(p.recordingSince !== undefined ? [p.recordingSince] : []),
  ]);
}

const chatBytes = (roomId: string, m: ChatMessage & { key: string }) =>
  encode(['confab/chat/v1', roomId, m.id, m.from, m.key, m.name, m.text, m.sentAt]);

const relayChoiceBytes = (roomId: string, c: Omit<SignedRelayChoice, 'sig'>) => encode(['confab/relay-choice/v1', roomId, c.by, c.key, c.relay, c.at]);

export async function signParticipant(identity: SigningIdentity, roomId: string, p: Participant & { rev: number }): Promise<SignedParticipant> {
  const body = { ...p, key: identity.publicKey };
  return { ...body, sig: await sign(identity, participantBytes(roomId, body)) };
}

export async function signChat(identity: SigningIdentity, roomId: string, m: ChatMessage): Promise<SignedChat> {
  const body = { ...m, key: identity.publicKey };
  return { ...body, sig: await sign(identity, chatBytes(roomId, body)) };
}

export async function signRelayChoice(identity: SigningIdentity, roomId: string, choice: { relay: string | null; at: number }): Promise<SignedRelayChoice> {
  const body = { relay: choice.relay, at: choice.at, key: identity.publicKey, by: await peerIdForKey(identity.publicKey) };
  return { ...body, sig: await sign(identity, relayChoiceBytes(roomId, body)) };
}

function readSignature(v: unknown): Signature | null {
  if (typeof v !== 'object' || v === null) return null;
  const { key, sig } = v as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) return null;
  if (typeof sig !== 'string' || sig.length === 0 || sig.length > MAX_SIG_CHARS) return null;
  return { key, sig };
}

/**
 * Verdicts by exact signed content: every change re-reads the document, and a page verifies
 * each entry once. Bounded, so a flood of junk cannot grow it without end.
 */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 20_000;

async function verifiedOnce(signer: Signature, bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const id = `${signer.sig}|${new TextDecoder().decode(bytes)}`;
  let ok = verdicts.get(id);
  if (ok === undefined) {
    ok = await verify(signer.key, signer.sig, bytes);
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(id, ok);
  }
  return ok;
}

/** The entry if it is well formed and signed by the key that owns `id`; else null. Never throws. */
export async function verifyParticipant(roomId: string, id: string, v: unknown): Promise<SignedParticipant | null> {
  const p = readParticipant(id, v);
  const signer = readSignature(v);
  const rev = (v as { rev?: unknown } | null)?.rev;
  if (!p || !signer || !Number.isSafeInteger(rev) || (rev as number) < 0) return null;
  const entry = { ...p, rev: rev as number, ...signer };
  // The stored name may be longer than readParticipant keeps: the signature covers what was stored.
  if ((v as { name: string }).name !== p.name) return null;
  if (!(await keyMatchesPeerId(signer.key, id))) return null;
  return (await verifiedOnce(signer, participantBytes(roomId, entry))) ? entry : null;
}

export async function verifyChat(roomId: string, v: unknown): Promise<SignedChat | null> {
  const m = readChat(v);
  const signer = readSignature(v);
  if (!m || !signer) return null;
  const raw = v as { name: string; text: string };
  if (raw.name !== m.name || raw.text !== m.text) return null;
  if (!(await keyMatchesPeerId(signer.key, m.from))) return null;
  const entry = { ...m, ...signer };
  return (await verifiedOnce(signer, chatBytes(roomId, entry))) ? entry : null;
}

export async function verifyRelayChoice(roomId: string, v: unknown): Promise<SignedRelayChoice | null> {
  const signer = readSignature(v);
  if (!signer) return null;
  const { relay, at, by } = v as Record<string, unknown>;
  if (relay !== null && (typeof relay !== 'string' || relay.length === 0 || relay.length > MAX_RELAY_URL_CHARS)) return null;
  if (typeof at !== 'number' || !Number.isFinite(at) || typeof by !== 'string') return null;
  const choice = { relay, at, by, ...signer };
  if (!(await keyMatchesPeerId(signer.key, by))) return null;
  return (await verifiedOnce(signer, relayChoiceBytes(roomId, choice))) ? choice : null;
}

export const choiceOf = (c: SignedRelayChoice | null): RelayChoice | null => (c?.relay ? { relay: c.relay, at: c.at } : null);
