import { fromBase64Url, toBase64Url } from '../protocol/base64url';
import { SIGNING_ALGORITHM, type SigningIdentity } from './host-identity';
import { keyMatchesPeerId } from './participant-identity';
import { RelayPresenceReplay, verifyRelaySignal } from './relay-presence-auth';
import type { RelaySignal } from '../protocol/relay-presence';
import type { PeerSignal, SignalAuth, SignalEnvelope } from '../protocol/wire';

/**
 * Every signal a participant sends is signed by its participant key (PROTOCOL.md, "Signal
 * signatures"). The room key only proves that a sender holds the link; anyone holding it could
 * otherwise send `bye` or `announce` in another peer's name. The signature covers the room,
 * sender, recipient (and the recipient's page load), a per-sender sequence number and the whole
 * message, so a signal can be neither forged, moved to another room or peer, nor replayed.
 */

const SIGN_PARAMS = { name: 'ECDSA', hash: 'SHA-256' } as const;
/**
 * Signals from one sender may arrive out of order (they are signed in parallel and travel on
 * two topics); one whose seq is this far below the sender's highest is refused as a replay, and
 * nearer ones are refused if seen before. Seqs follow the sender's clock in ms.
 */
export const SIGNAL_REPLAY_WINDOW_MS = 30_000;
const MAX_TRACKED_SENDERS = 1_000;
const MAX_KEY_CHARS = 128;
const MAX_SIG_CHARS = 256;
const MAX_INSTANCE_CHARS = 64;

/** Relay nodes have no participant key: their signals carry their own proof (relay-presence-auth.ts). */
function relaySignalOf(e: SignalEnvelope): (SignalEnvelope & { msg: RelaySignal }) | null {
  return e.msg.kind === 'relay' || e.msg.kind === 'relay-bye' ? (e as SignalEnvelope & { msg: RelaySignal }) : null;
}

function signedBytes(roomId: string, e: { from: string; to?: string; msg: unknown }, a: Omit<SignalAuth, 'sig'>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(['confab/signal/v1', roomId, e.from, e.to ?? null, a.key, a.inst, a.seq, a.toInst ?? null, e.msg]));
}

/** Signs our signals: one per page load (`inst`), seqs rising with the clock, never repeating. */
export class SignalSigner {
  private lastSeq = 0;

  constructor(
    private readonly roomId: string,
    private readonly selfId: string,
    private readonly identity: SigningIdentity,
    /** This page load (announce's `instance`). */
    readonly inst: string,
  ) {}

  /** A signed envelope; `toInst` is the recipient's page load, for a signal to one peer. */
  async envelope(msg: PeerSignal, to?: { peer: string; inst: string }): Promise<SignalEnvelope> {
    const seq = (this.lastSeq = Math.max(Date.now(), this.lastSeq + 1));
    const base = { v: 1 as const, from: this.selfId, ...(to ? { to: to.peer } : {}), msg };
    const unsigned: Omit<SignalAuth, 'sig'> = { key: this.identity.publicKey, inst: this.inst, seq, ...(to ? { toInst: to.inst } : {}) };
    const sig = new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS, this.identity.privateKey, signedBytes(this.roomId, base, unsigned)));
    return { ...base, auth: { ...unsigned, sig: toBase64Url(sig) } };
  }
}

export type SignalVerdict = 'ok' | 'unsigned' | 'not for us' | 'wrong key' | 'bad signature' | 'replayed';

interface SenderHistory {
  highest: number;
  /** The page load that signed the highest seq: an older load's signals are over. */
  inst: string;
  seen: Set<number>;
}

/**
 * Checks signals on receipt: `verify` (signature; any order, in parallel) then `admit` (replay,
 * strictly in arrival order). Relay signals are checked against the relay's own key.
 */
export class SignalGuard {
  private readonly importedKeys = new Map<string, Promise<CryptoKey | null>>();
  private readonly keyOwners = new Map<string, boolean>();
  private readonly history = new Map<string, SenderHistory>();
  private readonly relayReplay = new RelayPresenceReplay();

  constructor(
    private readonly roomId: string,
    private readonly selfId: string,
    /** Our page load: a signal to us names it, so none sent to an earlier load of ours counts. */
    private readonly selfInst: string,
  ) {}

  async verify(e: SignalEnvelope): Promise<Exclude<SignalVerdict, 'replayed'>> {
    const relay = relaySignalOf(e);
    if (relay) return verifyRelaySignal(this.roomId, relay, this.selfId);
    const a = e.auth;
    if (!a) return 'unsigned';
    if (e.to !== undefined && (e.to !== this.selfId || a.toInst !== this.selfInst)) return 'not for us';
    if (e.to === undefined && a.toInst !== undefined) return 'not for us';
    const msgKey = (e.msg as { key?: unknown }).key;
    const msgInst = e.msg.kind === 'announce' ? e.msg.instance : a.inst;
    if ((msgKey !== undefined && msgKey !== a.key) || msgInst !== a.inst || !(await this.ownedBy(a.key, e.from))) return 'wrong key';
    const key = await this.importKey(a.key);
    const { sig, ...unsigned } = a;
    try {
      if (key && (await crypto.subtle.verify(SIGN_PARAMS, key, fromBase64Url(sig), signedBytes(this.roomId, e, unsigned)))) return 'ok';
    } catch {
      // garbage in the signature: a bad one
    }
    return 'bad signature';
  }

  /**
   * After `verify` said ok, in arrival order: false for a signal seen before, too old, or from
   * a page load of the sender older than one already heard (a reloaded tab's old `announce`
   * must not pass for a reload and cut the live link).
   */
  admit(e: SignalEnvelope): boolean {
    const relay = relaySignalOf(e);
    if (relay) return this.relayReplay.admit(relay.msg);
    const a = e.auth;
    if (!a) return false;
    let h = this.history.get(e.from);
    if (h && (a.seq <= h.highest - SIGNAL_REPLAY_WINDOW_MS || h.seen.has(a.seq) || (a.inst !== h.inst && a.seq < h.highest))) return false;
    if (!h) {
      if (this.history.size >= MAX_TRACKED_SENDERS) this.history.clear();
      this.history.set(e.from, (h = { highest: a.seq, inst: a.inst, seen: new Set() }));
    }
    h.seen.add(a.seq);
    if (a.seq > h.highest) {
      h.highest = a.seq;
      h.inst = a.inst;
      if (h.seen.size > 256) for (const s of h.seen) if (s <= h.highest - SIGNAL_REPLAY_WINDOW_MS) h.seen.delete(s);
    }
    return true;
  }

  private async ownedBy(key: string, peerId: string): Promise<boolean> {
    const id = `${peerId}|${key}`;
    let ok = this.keyOwners.get(id);
    if (ok === undefined) {
      ok = await keyMatchesPeerId(key, peerId);
      if (this.keyOwners.size >= MAX_TRACKED_SENDERS) this.keyOwners.clear();
      this.keyOwners.set(id, ok);
    }
    return ok;
  }

  private importKey(publicKey: string): Promise<CryptoKey | null> {
    let key = this.importedKeys.get(publicKey);
    if (!key) {
      key = crypto.subtle.importKey('raw', fromBase64Url(publicKey), SIGNING_ALGORITHM, false, ['verify']).catch(() => null);
      if (this.importedKeys.size >= MAX_TRACKED_SENDERS) this.importedKeys.clear();
      this.importedKeys.set(publicKey, key);
    }
    return key;
  }
}

/** The shape of an envelope's `auth`, or null. Never throws. */
export function parseSignalAuth(value: unknown): SignalAuth | null {
  if (typeof value !== 'object' || value === null) return null;
  const a = value as Record<string, unknown>;
  const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (!str(a.key, MAX_KEY_CHARS) || !str(a.inst, MAX_INSTANCE_CHARS) || !str(a.sig, MAX_SIG_CHARS) || !Number.isSafeInteger(a.seq) || (a.seq as number) < 0) return null;
  if (a.toInst !== undefined && !str(a.toInst, MAX_INSTANCE_CHARS)) return null;
  return { key: a.key, inst: a.inst, seq: a.seq as number, ...(a.toInst !== undefined ? { toInst: a.toInst as string } : {}), sig: a.sig };
}
