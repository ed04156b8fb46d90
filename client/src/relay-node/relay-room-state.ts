import type { DocSync } from '../../../crdt/room/doc-sync';
import { ChannelTag } from '../../../crdt/protocol/wire';
import type { MediaKeys } from '../media/e2ee/media-keys';
import type { RelayRoomChannel, RelayRoomHandlers } from './relay-room-channel';

/** Anyone with the link may be in the room: not locked, nobody removed, not ended. */
export function openToLinkHolders(state: { locked: boolean; ended: boolean; removed: ReadonlySet<string> }): boolean {
  return !state.locked && !state.ended && state.removed.size === 0;
}

/** How many peers a page asks for the room state when it reaches a relay (the oldest: most likely complete). */
const PEERS_ASKED = 2;

/**
 * What the room session does with each relay link's room channel: the room document syncs
 * through it (DocSync's hub: edits broadcast once, sync step 1 to a couple of peers). Media-key
 * messages (key packages, epochs) go through every relay room channel, trusted or not: each is
 * signed and an epoch's secret is sealed to each member's own key package, so a relay or a link
 * holder who reads them learns nothing (media-key-message.ts).
 *
 * Unlike a mesh link (DTLS, end to end), what goes through a relay is sealed with the room's
 * message key, which everyone with the link holds, a removed person or a stranger to a locked
 * room too. So a channel carries the room only when its relay cannot be theirs: the room
 * server's own relay (its operator never sees the link), or a relay someone joined to the
 * room while the room is open to anyone with the link anyway (not locked, nobody removed).
 * Otherwise the room state stays on peer links.
 */
export class RelayRoomState implements RelayRoomHandlers {
  /** Room channels open now. */
  private readonly open = new Set<RelayRoomChannel>();
  /** Those that carry the room (DocSync hub and media keys). */
  private readonly carriers = new Set<RelayRoomChannel>();

  constructor(
    private readonly sync: DocSync,
    private readonly mediaKeys: () => MediaKeys | null,
    /** Whether any relay carries room state changed. */
    private readonly onCarrying: () => void,
    /** Anyone with the link may be in the room: not locked, nobody removed, not ended. */
    private readonly roomOpen: () => boolean,
  ) {}

  /** Some relay link's room channel carries the room state now. */
  carrying(): boolean {
    return this.carriers.size > 0;
  }

  opened(channel: RelayRoomChannel): void {
    this.open.add(channel);
    this.refresh();
    void this.mediaKeys()?.greet(null);
  }

  /** The room's records changed: a joined relay may no longer (or again) carry the room. */
  refresh(): void {
    const before = this.carriers.size > 0;
    const open = this.roomOpen();
    for (const channel of this.open) {
      const may = channel.trusted || open;
      if (may && !this.carriers.has(channel)) this.carry(channel);
      else if (!may && this.carriers.delete(channel)) {
        console.info(`[confab] room state off the joined relay: the room is locked or someone was removed`);
        this.sync.removeChannel(channel.id);
      }
    }
    if (before !== this.carriers.size > 0) this.onCarrying();
  }

  peers(channel: RelayRoomChannel, members: readonly string[], added: string | null): void {
    if (added) void this.mediaKeys()?.greet(added);
    this.mediaKeys()?.changed();
    if (!this.carriers.has(channel)) return;
    this.sync.pruneHub(channel.id, new Set(members));
    this.sync.askThroughHub(channel.id);
  }

  message(channel: RelayRoomChannel, from: string, tag: number, bytes: Uint8Array, direct: boolean): void {
    if (tag === ChannelTag.MediaKey) return void this.mediaKeys()?.receive(bytes);
    if (!this.carriers.has(channel)) return;
    if (tag === ChannelTag.Yjs) this.sync.receiveFromHub(channel.id, from, bytes, direct);
  }

  closed(channel: RelayRoomChannel): void {
    this.open.delete(channel);
    if (!this.carriers.delete(channel)) return;
    this.sync.removeChannel(channel.id);
    if (this.carriers.size === 0) this.onCarrying();
  }

  /** A media-key message to one peer, or (null) to the whole room, through every open relay room channel. */
  sendKeyMessage(to: string | null, bytes: Uint8Array): void {
    for (const channel of this.open) {
      if (to === null) channel.broadcast(ChannelTag.MediaKey, bytes);
      else if (channel.peers().includes(to)) channel.sendTo(to, ChannelTag.MediaKey, bytes);
    }
  }

  private carry(channel: RelayRoomChannel): void {
    this.carriers.add(channel);
    this.sync.addHub(
      channel.id,
      { send: (bytes) => channel.broadcast(ChannelTag.Yjs, bytes), sendTo: (peer, bytes) => channel.sendTo(peer, ChannelTag.Yjs, bytes) },
      () => channel.peers().slice(0, PEERS_ASKED),
    );
  }
}
