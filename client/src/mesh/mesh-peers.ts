import type { LinkRecovery, PeerReach } from './link-recovery';
import type { PeerLink } from './peer-link';

/** A peer as the views get it from the mesh. */
export interface RemotePeer {
  id: string;
  /** Microphone and camera. */
  stream: MediaStream;
  /** The shared screen's track (live but frameless while nothing is shared). */
  screen: MediaStream;
  reach: PeerReach;
}

/** What outlives one connection to a peer: its stream (the tile) and its recovery timers. */
export interface PeerCare {
  stream: MediaStream;
  screen: MediaStream;
  recovery: LinkRecovery;
}

/** Everything the mesh holds about one remote peer, in one place. */
export interface MeshPeer {
  readonly id: string;
  /** Its participant key, once its announce or a description checked out. */
  key?: string;
  /** The page load it announced from (until its bye). */
  instance?: string;
  /** Its last announce said it wants no links: a relay carries it. */
  linkless: boolean;
  /** The connection open or being made now. */
  link?: PeerLink;
  /** Its tile's streams and recovery, from the first connection until the last closes. */
  care?: PeerCare;
  /** Shown to the views: its channel opened, or it could not be reached. */
  shown?: RemotePeer;
  /** A dial held back while only one side wants the link (mesh-links.ts, dialLater). */
  dialTimer?: ReturnType<typeof setTimeout>;
}

/** The mesh's peers by id: one record each, kept for as long as the session lives. */
export class MeshPeers {
  private readonly byId = new Map<string, MeshPeer>();

  get(id: string): MeshPeer | undefined {
    return this.byId.get(id);
  }

  /** The record of `id`, made on first use. */
  of(id: string): MeshPeer {
    let peer = this.byId.get(id);
    if (!peer) {
      peer = { id, linkless: false };
      this.byId.set(id, peer);
    }
    return peer;
  }

  all(): MeshPeer[] {
    return [...this.byId.values()];
  }

  linkOf(id: string): PeerLink | undefined {
    return this.byId.get(id)?.link;
  }

  links(): PeerLink[] {
    return this.all().flatMap((p) => (p.link ? [p.link] : []));
  }

  /** Shown peers in the order they were first shown (a tile keeps its place while it stays). */
  shown(): RemotePeer[] {
    return this.all().flatMap((p) => (p.shown ? [p.shown] : []));
  }

  show(peer: MeshPeer, view: RemotePeer): void {
    if (!peer.shown) {
      // Newly shown: to the end of the order.
      this.byId.delete(peer.id);
      this.byId.set(peer.id, peer);
    }
    peer.shown = view;
  }

  linklessIds(): string[] {
    return this.all().flatMap((p) => (p.linkless ? [p.id] : []));
  }
}
