import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

export interface SyncChannel {
  send(bytes: Uint8Array): void;
}

/** Framing as y-websocket: a varUint message type first, so awareness (1) can be added later. */
const MESSAGE_SYNC = 0;
/** A full chat history (1,000 × 2,000 characters, up to 3 bytes each) fits with room to spare. */
export const MAX_SYNC_MESSAGE_BYTES = 8_000_000;

interface Link {
  channel: SyncChannel;
  /** Transaction origin for updates from this channel: an object, so no caller can collide. */
  origin: object;
  warned: boolean;
}

/**
 * Syncs one Y.Doc with y-protocols over any number of channels. Updates (local or from one
 * channel) are re-broadcast to every other channel, so a partial mesh still converges; Yjs
 * emits no update for content it already has, so cycles in the graph terminate.
 */
export class DocSync {
  private readonly links = new Map<string, Link>();

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    const bytes = frame((e) => syncProtocol.writeUpdate(e, update));
    for (const [id, link] of this.links) if (link.origin !== origin) this.send(id, link, bytes);
  };

  constructor(private readonly doc: Y.Doc) {
    doc.on('update', this.onUpdate);
  }

  /** Sends sync step 1 at once; the peer answers with step 2 (what we lack). */
  addChannel(id: string, channel: SyncChannel): void {
    const link: Link = { channel, origin: { channel: id }, warned: false };
    this.links.set(id, link);
    this.send(id, link, frame((e) => syncProtocol.writeSyncStep1(e, this.doc)));
  }

  removeChannel(id: string): void {
    this.links.delete(id);
  }

  /**
   * Handles one sync message from channel `id`. Returns false if it was dropped: unknown
   * channel, oversized, not a sync message, or malformed (logged once per channel).
   */
  receive(id: string, bytes: Uint8Array): boolean {
    const link = this.links.get(id);
    if (!link || bytes.length === 0 || bytes.length > MAX_SYNC_MESSAGE_BYTES) return false;
    try {
      const decoder = decoding.createDecoder(bytes);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return false;
      // Not syncProtocol.readSyncMessage: it catches applyUpdate errors itself and logs
      // every one with console.error, so a hostile peer could flood the console.
      switch (decoding.readVarUint(decoder)) {
        case syncProtocol.messageYjsSyncStep1: {
          const stateVector = decoding.readVarUint8Array(decoder);
          const reply = frame((e) => syncProtocol.writeSyncStep2(e, this.doc, stateVector));
          this.send(id, link, reply);
          return true;
        }
        case syncProtocol.messageYjsSyncStep2:
        case syncProtocol.messageYjsUpdate:
          // A throwing onChange/observer callback also lands in the catch below.
          Y.applyUpdate(this.doc, decoding.readVarUint8Array(decoder), link.origin);
          return true;
        default:
          return false;
      }
    } catch (err) {
      this.warnOnce(id, link, 'dropping malformed sync message', err);
      return false;
    }
  }

  destroy(): void {
    this.doc.off('update', this.onUpdate);
    this.links.clear();
  }

  /** A closed data channel throws on send; that must not break local edits or other peers. */
  private send(id: string, link: Link, bytes: Uint8Array): void {
    try {
      link.channel.send(bytes);
    } catch (err) {
      this.warnOnce(id, link, 'send failed', err);
    }
  }

  private warnOnce(id: string, link: Link, what: string, err: unknown): void {
    if (link.warned) return;
    link.warned = true;
    console.warn(`[confab] sync channel ${id}: ${what} (further problems on it are not logged)`, err);
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}
