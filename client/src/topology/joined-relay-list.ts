import { createSignal, type Accessor } from 'solid-js';
import { RELAY_FORGET_AFTER_MS } from '../../../crdt/protocol/relay-presence';
import type { RelayDirectory } from './relay-election';

/** A relay someone joined to the room, as the host's "Your room" panel lists it. */
export interface JoinedRelay {
  /** crdt/protocol/relay-presence.ts relayIdFor(url, key): what an `approve-relay` record names. */
  id: string;
  url: string;
  /** It carries this page's media now. */
  inUse: boolean;
}

/**
 * The joined relays a page knows of, as a signal for the views: refreshed when one is heard or
 * starts or stops carrying, and when the oldest announcement runs out, so a relay leaves the
 * list when it leaves the election (RELAY_FORGET_AFTER_MS after it was last heard).
 */
export class JoinedRelayList {
  readonly relays: Accessor<JoinedRelay[]>;
  private readonly setRelays: (relays: JoinedRelay[]) => void;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly directory: RelayDirectory,
    /** The id of the relay carrying our media (null: none). */
    private readonly inUseId: () => string | null,
  ) {
    [this.relays, this.setRelays] = createSignal<JoinedRelay[]>([]);
  }

  refresh(): void {
    const nowMs = Date.now();
    const announced = this.directory.announcedRelays(nowMs).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const inUse = this.inUseId();
    const next = announced.map((r) => ({ id: r.id, url: r.url, inUse: r.id === inUse }));
    if (!sameList(next, this.relays())) this.setRelays(next);
    clearTimeout(this.expiryTimer);
    if (announced.length > 0) {
      const firstGoneAtMs = Math.min(...announced.map((r) => r.heardAtMs + RELAY_FORGET_AFTER_MS));
      this.expiryTimer = setTimeout(() => this.refresh(), Math.max(0, firstGoneAtMs - nowMs));
    }
  }

  close(): void {
    clearTimeout(this.expiryTimer);
  }
}

function sameList(a: readonly JoinedRelay[], b: readonly JoinedRelay[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i]!.id && r.url === b[i]!.url && r.inUse === b[i]!.inUse);
}
