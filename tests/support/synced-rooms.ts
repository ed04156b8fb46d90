import { DocSync } from '../../crdt/room/doc-sync';
import { RoomDoc } from '../../crdt/room/room-doc';

/** A peer for attack tests: a real room document with its real sync. */
export interface SyncedPeer {
  id: string;
  room: RoomDoc;
  sync: DocSync;
}

export function syncedPeer(id: string): SyncedPeer {
  const room = new RoomDoc();
  return { id, room, sync: new DocSync(room.doc) };
}

/** In-memory links that deliver asynchronously and in order, like a data channel. */
export class SyncNet {
  private inFlight = 0;

  connect(a: SyncedPeer, b: SyncedPeer): void {
    a.sync.addChannel(b.id, { send: this.deliver(b, a) });
    b.sync.addChannel(a.id, { send: this.deliver(a, b) });
  }

  /** Resolves once no message is in flight. */
  async quiesce(): Promise<void> {
    do await new Promise((r) => setTimeout(r, 0));
    while (this.inFlight > 0);
  }

  private deliver(to: SyncedPeer, from: SyncedPeer) {
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
