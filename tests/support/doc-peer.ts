import { DocSync } from '../../crdt/room/doc-sync';
import { RoomDoc } from '../../crdt/room/room-doc';

/** A peer in the doc-sync tests: a room doc with its sync. */
export interface Peer {
  id: string;
  room: RoomDoc;
  sync: DocSync;
}

export function peer(id: string): Peer {
  const room = new RoomDoc();
  return { id, room, sync: new DocSync(room.doc) };
}

/** What a peer's views would show: its people and its chat. */
export const state = (p: Peer) => JSON.stringify({ people: p.room.participants(), chat: p.room.chat() });
export const join = (p: Peer, name = p.id) => p.room.join({ id: p.id, name, micOn: true, camOn: true });
