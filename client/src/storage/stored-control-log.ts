import type { ControlRecord } from '../../../crdt/room/control-records';
import type { ControlLogStore } from '../../../crdt/room/room-controls';

/**
 * The control records this browser has seen for a room, in localStorage beside the host key:
 * a member who deletes them from the shared document while this page is closed cannot make a
 * reload forget them (the document's own IndexedDB copy takes the delete with it).
 */
export function storedControlLog(roomId: string): ControlLogStore {
  const name = `confab.controls.${roomId}`;
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(localStorage.getItem(name) ?? '[]');
        return Array.isArray(parsed) ? parsed : [];
      } catch {
        return [];
      }
    },
    save(records: readonly ControlRecord[]) {
      try {
        localStorage.setItem(name, JSON.stringify(records));
      } catch {
        /* storage full or refused: the records last as long as the page */
      }
    },
  };
}
