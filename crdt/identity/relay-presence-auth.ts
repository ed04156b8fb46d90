import { sign, verify, type SigningIdentity } from './host-identity';
import { relayAnnouncement, relayIdFor, type RelaySignal } from '../protocol/relay-presence';
import type { RelayAnnouncement } from '../protocol/wire';

/**
 * Relay presence signed by the relay's own key (PROTOCOL.md, "Relays in a room"). The room key
 * proves only that a sender holds the link; without a signature anyone holding it could say
 * goodbye for a joined relay (pages would leave it) or replay its old announcements. The id is
 * a hash of the URL and the key, so nobody else can sign for that id; the signature covers the
 * room, the kind, the whole announcement and a rising seq, so a signal can be neither forged,
 * moved to another room, turned from an announcement into a goodbye, nor replayed.
 */

/**
 * Relay signals may arrive out of order (broadcast and direct answers travel on two topics);
 * one whose seq is this far below the relay's highest is refused as a replay, nearer ones if
 * seen before. Seqs follow the relay's clock in ms.
 */
export const RELAY_REPLAY_WINDOW_MS = 30_000;
const MAX_TRACKED_RELAYS = 1_000;

function signedBytes(roomId: string, kind: RelaySignal['kind'], r: RelayAnnouncement, seq: number): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(['confab/relay-presence/v2', roomId, kind, r.id, r.url, r.meshMax, r.key, seq]));
}

/** A relay node's presence in one room, signed: seqs rise with the clock and never repeat. */
export class RelayPresenceSigner {
  private lastSeq = 0;

  private constructor(
    private readonly roomId: string,
    private readonly identity: SigningIdentity,
    readonly announcement: RelayAnnouncement,
  ) {}

  static async create(roomId: string, identity: SigningIdentity, url: string, meshMax: number): Promise<RelayPresenceSigner> {
    return new RelayPresenceSigner(roomId, identity, await relayAnnouncement(url, meshMax, identity.publicKey));
  }

  async signal(kind: RelaySignal['kind']): Promise<RelaySignal> {
    const seq = (this.lastSeq = Math.max(Date.now(), this.lastSeq + 1));
    const sig = await sign(this.identity, signedBytes(this.roomId, kind, this.announcement, seq));
    return { kind, relay: this.announcement, seq, sig };
  }
}

export type RelayPresenceVerdict = 'ok' | 'not for us' | 'wrong key' | 'bad signature';

/**
 * Whether a relay signal (its shape already parsed) is genuine: a broadcast or sent to us, from
 * the relay it names, whose id is the hash of its URL and key, signed by that key for this room.
 * Any order, in parallel; replays are RelayPresenceReplay's. Never throws.
 */
export async function verifyRelaySignal(roomId: string, e: { from: string; to?: string; msg: RelaySignal }, selfId?: string): Promise<RelayPresenceVerdict> {
  const { relay, seq, sig, kind } = e.msg;
  if (e.to !== undefined && e.to !== selfId) return 'not for us';
  if (e.from !== relay.id || (await relayIdFor(relay.url, relay.key)) !== relay.id) return 'wrong key';
  return (await verify(relay.key, sig, signedBytes(roomId, kind, relay, seq))) ? 'ok' : 'bad signature';
}

interface RelayHistory {
  highest: number;
  seen: Set<number>;
  /** The seq of the goodbye heard: everything it signed before is over. */
  byeSeq: number | null;
}

/**
 * Replays, per relay id, in arrival order after `verifyRelaySignal` said ok: a seq seen before,
 * one RELAY_REPLAY_WINDOW_MS or more below the highest, an announcement older than a goodbye
 * heard (it must not bring back a relay that left), and a goodbye older than anything heard
 * (an old goodbye must not end a relay that came back).
 */
export class RelayPresenceReplay {
  private readonly history = new Map<string, RelayHistory>();

  admit(signal: RelaySignal): boolean {
    const { seq } = signal;
    const id = signal.relay.id;
    let h = this.history.get(id);
    if (h) {
      if (h.seen.has(seq) || seq <= h.highest - RELAY_REPLAY_WINDOW_MS) return false;
      if (signal.kind === 'relay' && h.byeSeq !== null && seq < h.byeSeq) return false;
      if (signal.kind === 'relay-bye' && seq < h.highest) return false;
      this.history.delete(id);
    } else {
      h = { highest: seq, seen: new Set(), byeSeq: null };
      // The relay heard from longest ago goes first: a live one announces every 15 s.
      if (this.history.size >= MAX_TRACKED_RELAYS) this.history.delete(this.history.keys().next().value!);
    }
    this.history.set(id, h);
    h.seen.add(seq);
    if (signal.kind === 'relay-bye') h.byeSeq = seq;
    if (seq > h.highest) {
      h.highest = seq;
      if (h.seen.size > 256) for (const s of h.seen) if (s <= h.highest - RELAY_REPLAY_WINDOW_MS) h.seen.delete(s);
    }
    return true;
  }
}
