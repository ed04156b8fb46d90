import { peer, type Peer } from './doc-peer';

/** A peer for attack tests: a real room document with its real sync (doc-peer.ts). */
export type SyncedPeer = Peer;
export const syncedPeer = peer;

/** In-memory links that deliver asynchronously and in order, like a data channel. */
export class SyncNet {
  private inFlight = 0;
  private readonly edges = new Set<string>();

  connect(a: Peer, b: Peer): void {
    this.edges.add(edge(a, b));
    a.sync.addChannel(b.id, { send: this.deliver(b, a) });
    b.sync.addChannel(a.id, { send: this.deliver(a, b) });
  }

  linked(a: Peer, b: Peer): boolean {
    return this.edges.has(edge(a, b));
  }

  /** Resolves once no message is in flight. */
  async quiesce(): Promise<void> {
    do await new Promise((r) => setTimeout(r, 0));
    while (this.inFlight > 0);
  }

  private deliver(to: Peer, from: Peer) {
    return (bytes: Uint8Array) => {
      this.inFlight++;
      const copy = bytes.slice();
      setTimeout(() => {
        this.inFlight--;
        to.sync.receive(from.id, copy);
      }, 0);
    };
  }
}

const edge = (a: Peer, b: Peer): string => [a.id, b.id].sort().join('|');
