import { RELAY_FORGET_AFTER_MS, type RelaySignal } from '../../../crdt/protocol/relay-presence';

/** A relay that failed us is passed over this long (then tried again if it is elected). */
export const RELAY_FAILED_COOLDOWN_MS = 5_000;

export interface KnownRelay {
  /** crdt/protocol/relay-presence.ts relayIdFor(url, key); the room server's own: serverRelayIdFor(url). */
  id: string;
  /** Control socket, ws(s)://…/relay. */
  url: string;
  meshMax: number;
  /** Offered by the room's own signaling server (welcome frame), not announced in the room. */
  origin: boolean;
  /** When it last announced itself (ms); the origin's relay is never forgotten. */
  heardAtMs: number;
}

/**
 * The election (PROTOCOL.md, "Relays in a room"): relays joined to the room come first, in
 * order of id, then the relay of the room's own server; the first not marked failed wins.
 * Every peer that knows the same relays picks the same one, whatever order it heard them in.
 */
export function electRelay(relays: readonly KnownRelay[], failedUntilMs: ReadonlyMap<string, number>, nowMs: number): KnownRelay | null {
  const eligible = relays.filter((r) => (failedUntilMs.get(r.id) ?? -Infinity) <= nowMs);
  eligible.sort((a, b) => Number(a.origin) - Number(b.origin) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return eligible[0] ?? null;
}

/**
 * Which relay to use now. The room document's choice first, when we know that relay and it has
 * not failed us (so peers converge on one relay even if they heard of relays in a different
 * order or at different times); else the relay we are on, while it works; else the election.
 */
export function pickRelay(opts: {
  known: readonly KnownRelay[];
  failedUntilMs: ReadonlyMap<string, number>;
  nowMs: number;
  recordedUrl: string | null;
  current: KnownRelay | null;
}): KnownRelay | null {
  const usable = (r: KnownRelay | null | undefined): r is KnownRelay => !!r && (opts.failedUntilMs.get(r.id) ?? -Infinity) <= opts.nowMs;
  // Two relays may announce one URL (anyone may sign for an address with a key of their own).
  const recorded = opts.known.find((r) => r.url === opts.recordedUrl && usable(r));
  if (recorded) return recorded;
  // The relay we are on counts only while it is still one we may use (the room may have locked).
  const current = opts.known.find((r) => r.id === opts.current?.id);
  if (usable(current)) return current;
  return electRelay(opts.known, opts.failedUntilMs, opts.nowMs);
}

/**
 * The relays a room may use (PROTOCOL.md, "Relays in a room"): its own server's always; a
 * joined relay (anyone with the link can run one, a knocker turned away or a removed person
 * too) only while the room is open to every link holder, or when a host or co-host approved
 * it with a signed `approve-relay` record.
 */
export function allowedRelays(known: readonly KnownRelay[], room: { open: boolean; approved: ReadonlySet<string> }): KnownRelay[] {
  return known.filter((r) => r.origin || room.open || room.approved.has(r.id));
}

/** The room's mesh limit: its own server's, else the smallest any joined relay announces. */
export function roomMeshMax(relays: readonly KnownRelay[]): number | null {
  const origin = relays.find((r) => r.origin);
  if (origin) return origin.meshMax;
  return relays.length > 0 ? Math.min(...relays.map((r) => r.meshMax)) : null;
}

/** The relays a page knows of: its server's (welcome frame) and those announced in the room. */
export class RelayDirectory {
  private origin: KnownRelay | null = null;
  private readonly announced = new Map<string, KnownRelay>();
  readonly failedUntilMs = new Map<string, number>();

  setOrigin(relay: { id: string; url: string; meshMax: number } | null): void {
    this.origin = relay && { ...relay, origin: true, heardAtMs: Infinity };
  }

  /**
   * A checked relay signal; true when what we know changed (a new relay, or one gone). Nobody
   * speaks for the room server's own relay: an announcement or goodbye under its id or its URL
   * (anyone with the link can sign one for that URL with a key of their own) is ignored.
   */
  heard(signal: RelaySignal, nowMs: number): boolean {
    const { id, url, meshMax } = signal.relay;
    if (id === this.origin?.id || url === this.origin?.url) return false;
    if (signal.kind === 'relay-bye') return this.announced.delete(id);
    const before = this.announced.get(id);
    this.announced.set(id, { id, url, meshMax, origin: false, heardAtMs: nowMs });
    return !before || before.meshMax !== meshMax || before.heardAtMs + RELAY_FORGET_AFTER_MS <= nowMs;
  }

  markFailed(id: string, nowMs: number, cooldownMs = RELAY_FAILED_COOLDOWN_MS): void {
    this.failedUntilMs.set(id, nowMs + cooldownMs);
  }

  /** Relays known now: the origin's, and announced ones heard from lately (never one with the origin's id or URL). */
  known(nowMs: number): KnownRelay[] {
    const byId = new Map<string, KnownRelay>();
    for (const [id, relay] of this.announced) {
      if (relay.heardAtMs + RELAY_FORGET_AFTER_MS <= nowMs) this.announced.delete(id);
      else if (relay.url !== this.origin?.url) byId.set(id, relay);
    }
    if (this.origin) byId.set(this.origin.id, this.origin);
    return [...byId.values()];
  }

  /** Announced (joined) relays heard from lately: what a host may approve. */
  announcedRelays(nowMs: number): KnownRelay[] {
    return this.known(nowMs).filter((r) => !r.origin);
  }

  /** When the next relay marked failed may be tried again (null: none is). */
  nextRetryAtMs(nowMs: number): number | null {
    const waiting = [...this.failedUntilMs.values()].filter((t) => t > nowMs);
    return waiting.length > 0 ? Math.min(...waiting) : null;
  }
}
