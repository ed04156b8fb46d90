import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

export interface SyncChannel {
  send(bytes: Uint8Array): void;
}

/** Framing as y-websocket: a varUint message type first, so awareness can be added later. */
const MESSAGE_SYNC = 0;
export const MAX_SYNC_MESSAGE_BYTES = 1_000_000;

/**
 * Syncs one Y.Doc with y-protocols over any number of channels. Updates (local or from one
 * channel) are re-broadcast to every other channel, so a partial mesh still converges.
 */
export class DocSync {
  private readonly channels = new Map<string, SyncChannel>();
  private readonly warned = new Set<string>();
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const bytes = encoding.toUint8Array(encoder);
    for (const [id, channel] of this.channels) if (id !== origin) channel.send(bytes);
  };

  constructor(private readonly doc: Y.Doc) {
    doc.on('update', this.onUpdate);
  }

  addChannel(id: string, channel: SyncChannel): void {
    this.channels.set(id, channel);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    channel.send(encoding.toUint8Array(encoder));
  }

  removeChannel(id: string): void {
    this.channels.delete(id);
    this.warned.delete(id);
  }

  /** Returns false for a message that was dropped (malformed, oversized, unknown channel). */
  receive(id: string, bytes: Uint8Array): boolean {
    const channel = this.channels.get(id);
    if (!channel || bytes.length === 0 || bytes.length > MAX_SYNC_MESSAGE_BYTES) return false;
    try {
      const decoder = decoding.createDecoder(bytes);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return false;
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_SYNC);
      syncProtocol.readSyncMessage(decoder, reply, this.doc, id);
      if (encoding.length(reply) > 1) channel.send(encoding.toUint8Array(reply));
      return true;
    } catch (err) {
      if (!this.warned.has(id)) console.warn(`[confab] dropping malformed sync messages from ${id}:`, err);
      this.warned.add(id);
      return false;
    }
  }

  destroy(): void {
    this.doc.off('update', this.onUpdate);
    this.channels.clear();
  }
}
