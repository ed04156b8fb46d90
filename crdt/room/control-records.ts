import { toBase64Url } from '../protocol/base64url';
import { roomIdForHostKey, sign, verify, type SigningIdentity } from '../identity/host-identity';

/**
 * Host decisions as signed records (design.md, principle 3). Every peer (and relay) folds the
 * records in the room document into one state and enforces it; a record that is malformed,
 * for another room, badly signed or signed by someone without the authority is ignored.
 */
export type ControlKind =
  | 'lock'
  | 'unlock'
  | 'admit'
  | 'deny'
  | 'remove'
  | 'end'
  | 'cohost'
  | 'revoke-cohost'
  /** "This participant key is the host, on one of its devices" (signed with the host key). */
  | 'host-session'
  /**
   * "This joined relay may carry the room's media while it is locked" (target = the relay's id,
   * crdt/protocol/relay-presence.ts relayIdFor). Without one, a room that is not open uses only its server's relay.
   */
  | 'approve-relay'
  /** Takes an `approve-relay` back (target = the relay's id); a later approval counts again. */
  | 'revoke-relay';

const KINDS: ReadonlySet<string> = new Set<ControlKind>(['lock', 'unlock', 'admit', 'deny', 'remove', 'end', 'cohost', 'revoke-cohost', 'host-session', 'approve-relay', 'revoke-relay']);
const NEEDS_TARGET: ReadonlySet<ControlKind> = new Set<ControlKind>(['admit', 'deny', 'remove', 'cohost', 'revoke-cohost', 'host-session', 'approve-relay', 'revoke-relay']);
/** Only the host itself may do these; co-hosts may do the rest. */
const HOST_ONLY: ReadonlySet<ControlKind> = new Set<ControlKind>(['end', 'cohost', 'revoke-cohost', 'host-session']);
const MAX_KEY_CHARS = 128;
/**
 * How far one record's seq may run ahead of every record folded before it. Honest signers step
 * by one (Lamport), so a room never comes near it; a co-host who signs seq 2^53−1 is turned
 * away instead of leaving the host no next seq (2^53 is not a safe integer). Reaching 2^53
 * would take 2^33 applied records, each signed, stored and synced.
 */
export const MAX_SEQ_STEP = 2 ** 20;
/** The records of a revoked or removed co-host that stand (`keep`): at most this many, newest first. */
export const MAX_KEPT_REFS = 100;
const REF_CHARS = 16;
/** Kinds that end a co-host's authority and may carry `keep`. */
const ENDS_COHOST: ReadonlySet<ControlKind> = new Set<ControlKind>(['revoke-cohost', 'remove']);

export interface ControlRecord {
  v: 1;
  room: string;
  kind: ControlKind;
  /** The participant key a record is about (admit, deny, remove, co-host). */
  target: string | null;
  /** Lamport order: one more than the highest seq the signer had seen. */
  seq: number;
  at: number;
  /** Signer's public key. */
  by: string;
  /**
   * On a host's revoke-cohost or remove of a co-host: recordRef() of each record by the target
   * that stands. Every other record the target signed is void, wherever its seq puts it: the
   * target cannot backdate records to before its revocation.
   */
  keep?: string[];
  sig: string;
}

export interface RoomControlState {
  hostKey: string | null;
  locked: boolean;
  ended: boolean;
  admitted: Set<string>;
  denied: Set<string>;
  removed: Set<string>;
  cohosts: Set<string>;
  /** Participant keys the host key vouched for: the host's own devices. */
  hostSessions: Set<string>;
  /** Ids of joined relays a host or co-host approved for the room (`approve-relay`, not revoked since by `revoke-relay`). */
  approvedRelays: Set<string>;
}

export type RejectReason = 'malformed' | 'other room' | 'bad signature' | 'not authorized' | 'duplicate' | 'seq jump' | 'revoked';

/** The bytes a signature covers: every field but sig, in a fixed order. */
function signedBytes(r: Omit<ControlRecord, 'sig'>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(signedText(r));
}

const signedText = (r: Omit<ControlRecord, 'sig'>) =>
  JSON.stringify(r.keep ? [r.v, r.room, r.kind, r.target, r.seq, r.at, r.by, r.keep] : [r.v, r.room, r.kind, r.target, r.seq, r.at, r.by]);

export async function signControl(
  identity: SigningIdentity,
  fields: { room: string; kind: ControlKind; target?: string; seq: number; at?: number; keep?: string[] },
): Promise<ControlRecord> {
  const body: Omit<ControlRecord, 'sig'> = {
    v: 1 as const,
    room: fields.room,
    kind: fields.kind,
    target: fields.target ?? null,
    seq: fields.seq,
    at: fields.at ?? Date.now(),
    by: identity.publicKey,
  };
  if (fields.keep && ENDS_COHOST.has(fields.kind)) body.keep = fields.keep.slice(-MAX_KEPT_REFS);
  return { ...body, sig: await sign(identity, signedBytes(body)) };
}

const refs = new Map<string, string>();

/** A short name for a record (a hash of its signature, which its signer cannot steer), as `keep` lists it. */
export async function recordRef(record: { sig: string }): Promise<string> {
  let ref = refs.get(record.sig);
  if (ref === undefined) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(record.sig)));
    ref = toBase64Url(digest).slice(0, REF_CHARS);
    if (refs.size >= MAX_VERDICTS) refs.clear();
    refs.set(record.sig, ref);
  }
  return ref;
}

const isKey = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_KEY_CHARS;

export function parseControl(value: unknown): ControlRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const r = value as Record<string, unknown>;
  if (r.v !== 1 || !isKey(r.room) || typeof r.kind !== 'string' || !KINDS.has(r.kind)) return null;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 0 || !Number.isFinite(r.at)) return null;
  if (!isKey(r.by) || typeof r.sig !== 'string' || r.sig.length > 256) return null;
  const kind = r.kind as ControlKind;
  if (NEEDS_TARGET.has(kind) ? !isKey(r.target) : r.target !== null) return null;
  const record: ControlRecord = { v: 1, room: r.room, kind, target: r.target as string | null, seq: r.seq as number, at: r.at as number, by: r.by, sig: r.sig };
  if (r.keep !== undefined) {
    const keep = r.keep;
    if (!ENDS_COHOST.has(kind) || !Array.isArray(keep) || keep.length > MAX_KEPT_REFS) return null;
    if (!keep.every((k) => typeof k === 'string' && k.length === REF_CHARS)) return null;
    record.keep = keep as string[];
  }
  return record;
}

/**
 * Every change to the records refolds them all, so verdicts are remembered by the exact
 * signed content: a record is verified once per page, not once per change.
 */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 10_000;

async function verifiedOnce(record: ControlRecord): Promise<boolean> {
  const id = `${record.sig}|${signedText(record)}`;
  let ok = verdicts.get(id);
  if (ok === undefined) {
    ok = await verify(record.by, record.sig, signedBytes(record));
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(id, ok);
  }
  return ok;
}

/** Total order that every peer agrees on, whatever order the records arrived in. */
function compareRecords(a: ControlRecord, b: ControlRecord): number {
  return a.seq - b.seq || (a.by < b.by ? -1 : a.by > b.by ? 1 : 0) || (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : 0);
}

export function emptyControlState(): RoomControlState {
  return { hostKey: null, locked: false, ended: false, admitted: new Set(), denied: new Set(), removed: new Set(), cohosts: new Set(), hostSessions: new Set(), approvedRelays: new Set() };
}

/** Values from the document are never changed in place, so each is parsed once per page. */
const parsedValues = new WeakMap<object, ControlRecord | null>();

function parseOnce(value: unknown): ControlRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  let record = parsedValues.get(value);
  if (record === undefined) parsedValues.set(value, (record = parseControl(value)));
  return record;
}

/** Keys already hashed against a room id: whether each is that room's host key. */
const hostKeyVerdicts = new Map<string, boolean>();

async function isHostKeyOf(roomId: string, key: string): Promise<boolean> {
  const id = `${roomId}|${key}`;
  let ok = hostKeyVerdicts.get(id);
  if (ok === undefined) {
    ok = await roomIdForHostKey(key).then((r) => r === roomId, () => false);
    if (hostKeyVerdicts.size >= MAX_VERDICTS) hostKeyVerdicts.clear();
    hostKeyVerdicts.set(id, ok);
  }
  return ok;
}

/**
 * Folds raw values from the room document into the room's control state. The host key is the
 * signer whose key hashes to the room id; nobody else can produce one.
 *
 * Only the host and the keys the host names as co-hosts can sign anything that counts, so the
 * records of every other signer are turned away before their signatures are checked: a member
 * flooding the document with records signed by throwaway keys costs a parse each, not an
 * ECDSA verification each.
 */
export async function foldControls(
  roomId: string,
  values: unknown[],
): Promise<{ state: RoomControlState; rejected: { value: unknown; reason: RejectReason }[]; nextSeq: number; applied: ControlRecord[] }> {
  const rejected: { value: unknown; reason: RejectReason }[] = [];
  const parsed: ControlRecord[] = [];
  for (const value of values) {
    const record = parseOnce(value);
    if (!record) rejected.push({ value, reason: 'malformed' });
    else if (record.room !== roomId) rejected.push({ value, reason: 'other room' });
    else parsed.push(record);
  }
  let hostKey: string | null = null;
  for (const by of new Set(parsed.map((r) => r.by))) if (await isHostKeyOf(roomId, by)) hostKey = by;
  // A superset of the co-hosts (these grants are not verified yet): enough to turn strangers away.
  const mayCount = new Set(parsed.filter((r) => r.kind === 'cohost' && r.by === hostKey).map((r) => r.target!));
  if (hostKey) mayCount.add(hostKey);

  const valid: ControlRecord[] = [];
  const seen = new Set<string>();
  for (const record of parsed) {
    if (!mayCount.has(record.by)) rejected.push({ value: record, reason: 'not authorized' });
    else if (seen.has(record.sig)) rejected.push({ value: record, reason: 'duplicate' });
    else if (!(await verifiedOnce(record))) rejected.push({ value: record, reason: 'bad signature' });
    else {
      seen.add(record.sig);
      valid.push(record);
    }
  }
  const state = emptyControlState();
  state.hostKey = valid.some((r) => r.by === hostKey) ? hostKey : null;
  valid.sort(compareRecords);
  const pins = await revocationPins(valid, state.hostKey);

  // From applied records only: a signer without authority must not push the host's next seq
  // past what parseControl accepts (a "future Lamport time" would silence the host).
  let maxSeq = 0;
  const applied: ControlRecord[] = [];
  for (const record of valid) {
    const isHost = record.by === state.hostKey;
    const authorized =
      (isHost || (state.cohosts.has(record.by) && !HOST_ONLY.has(record.kind))) &&
      // Nobody removes or demotes the host, on any of its devices.
      !(record.target !== null && isHostKey(state, record.target) && record.kind !== 'admit' && record.kind !== 'host-session') &&
      // Only the host removes or turns away a co-host.
      !(!isHost && record.target !== null && state.cohosts.has(record.target) && (record.kind === 'remove' || record.kind === 'deny'));
    if (!authorized) rejected.push({ value: record, reason: 'not authorized' });
    else if (record.seq > maxSeq + MAX_SEQ_STEP) rejected.push({ value: record, reason: 'seq jump' });
    else if (!isHost && (await voidedByPin(record, pins.get(record.by)))) rejected.push({ value: record, reason: 'revoked' });
    else {
      apply(state, record);
      applied.push(record);
      maxSeq = Math.max(maxSeq, record.seq);
    }
  }
  return { state, rejected, nextSeq: maxSeq + 1, applied };
}

/** The host's records that end a co-host's authority and say which of its records stand, by target. */
async function revocationPins(sorted: ControlRecord[], hostKey: string | null): Promise<Map<string, ControlRecord[]>> {
  const pins = new Map<string, ControlRecord[]>();
  for (const r of sorted) {
    if (r.by !== hostKey || !r.keep || r.target === null) continue;
    const list = pins.get(r.target) ?? [];
    list.push(r);
    pins.set(r.target, list);
  }
  return pins;
}

/** A co-host's record is void when a revocation ordered after it does not list it among those that stand. */
async function voidedByPin(record: ControlRecord, pins: ControlRecord[] | undefined): Promise<boolean> {
  if (!pins) return false;
  for (const pin of pins) {
    if (compareRecords(record, pin) < 0 && !pin.keep!.includes(await recordRef(record))) return true;
  }
  return false;
}

/** What each kind of record does to the folded state (`t`: its target, present where the kind needs one). */
const EFFECTS: Record<ControlKind, (state: RoomControlState, t: string) => void> = {
  lock: (state) => void (state.locked = true),
  unlock: (state) => void (state.locked = false),
  admit: (state, t) => void (state.admitted.add(t), state.denied.delete(t)),
  deny: (state, t) => void (state.denied.add(t), state.admitted.delete(t)),
  remove: (state, t) => void (state.removed.add(t), state.admitted.delete(t), state.cohosts.delete(t)),
  end: (state) => void (state.ended = true),
  cohost: (state, t) => void state.cohosts.add(t),
  'revoke-cohost': (state, t) => void state.cohosts.delete(t),
  'host-session': (state, t) => void (state.hostSessions.add(t), state.removed.delete(t)),
  'approve-relay': (state, t) => void state.approvedRelays.add(t),
  'revoke-relay': (state, t) => void state.approvedRelays.delete(t),
};

function apply(state: RoomControlState, r: ControlRecord): void {
  EFFECTS[r.kind](state, r.target!);
}

const isHostKey = (state: RoomControlState, key: string): boolean => key === state.hostKey || state.hostSessions.has(key);

/** May this participant key sign lock, admit, deny and remove records (and see knocks)? */
export function mayModerate(state: RoomControlState, participantKey: string): boolean {
  return isHostKey(state, participantKey) || state.cohosts.has(participantKey);
}

export type Exclusion = 'ended' | 'removed' | 'denied' | 'locked';

/** Why this key may not be in the room, or null if it may. */
export function exclusionOf(state: RoomControlState, participantKey: string): Exclusion | null {
  if (state.ended) return 'ended';
  if (mayModerate(state, participantKey)) return null;
  if (state.removed.has(participantKey)) return 'removed';
  if (state.locked && !state.admitted.has(participantKey)) return state.denied.has(participantKey) ? 'denied' : 'locked';
  return null;
}

/** May this participant key be in the room? (The host always may.) */
export function mayParticipate(state: RoomControlState, participantKey: string): boolean {
  return exclusionOf(state, participantKey) === null;
}

// A revoke-relay travels with the approval it takes back: a newcomer folding one without the other would use the relay.
const ABOUT_EVERYONE: ReadonlySet<ControlKind> = new Set<ControlKind>(['cohost', 'revoke-cohost', 'host-session', 'approve-relay', 'revoke-relay']);
const MAX_RECORDS_ABOUT_KEY = 10;
const MAX_RECORDS_ABOUT_ROOM = 40;

/**
 * The records someone needs to check a decision about `key` without the room document: the
 * latest ones about the key itself, about the whole room (lock, end) and about who may sign
 * them (co-host grants, host devices). Small enough for one signaling frame.
 */
export function recordsAbout(values: unknown[], key: string): ControlRecord[] {
  const parsed = uniqueBySig(values.map(parseControl).filter((r): r is ControlRecord => r !== null)).sort(compareRecords);
  const own = parsed.filter((r) => r.target === key).slice(-MAX_RECORDS_ABOUT_KEY);
  const room = parsed.filter((r) => r.target === null || ABOUT_EVERYONE.has(r.kind)).slice(-MAX_RECORDS_ABOUT_ROOM);
  return [...room, ...own];
}

/** The records of `offered` that are valid and authorized alongside the ones already known. */
export async function acceptableRecords(roomId: string, known: unknown[], offered: unknown): Promise<ControlRecord[]> {
  if (!Array.isArray(offered) || offered.length === 0) return [];
  const knownSigs = new Set(known.map((v) => (v as { sig?: unknown } | null)?.sig));
  const candidates = uniqueBySig(
    offered
      .slice(0, MAX_RECORDS_ABOUT_KEY + MAX_RECORDS_ABOUT_ROOM)
      .map(parseControl)
      .filter((r): r is ControlRecord => r !== null && !knownSigs.has(r.sig)),
  );
  if (candidates.length === 0) return [];
  const { rejected } = await foldControls(roomId, [...known, ...candidates]);
  const bad = new Set(rejected.map(({ value }) => (value as { sig?: unknown } | null)?.sig));
  return candidates.filter((r) => !bad.has(r.sig));
}

function uniqueBySig(records: ControlRecord[]): ControlRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.sig) && seen.add(r.sig));
}
