import type { DocSync } from '../../../crdt/room/doc-sync';
import { ChannelTag } from '../../../crdt/protocol/wire';
import { decodeMediaKey, encodeMediaKey } from '../media/e2ee/media-key-message';
import type { MediaKey, MediaKeyring } from '../media/e2ee/media-keyring';
import type { RelayRoomChannel, RelayRoomHandlers } from './relay-room-channel';

/** Anyone with the link may be in the room: not locked, nobody removed, not ended. */
export function openToLinkHolders(state: { locked: boolean; ended: boolean; removed: ReadonlySet<string> }): boolean {
  return !state.locked && !state.ended && state.removed.size === 0;
}

/** How many peers a page asks for the room state when it reaches a relay (the oldest: most likely complete). */
const PEERS_ASKED = 2;

/**
 * What the room session does with each relay link's room channel: the room document syncs
 * through it (DocSync's hub: edits broadcast once, sync step 1 to a couple of peers) and media
 * keys reach whoever the relay reaches. The relay admits only those the room's records let in,
 * so whoever appears on the channel gets the current key, as a newcomer on a mesh link does.
 *
 * Unlike a mesh link (DTLS, end to end), what goes through a relay is sealed with the room's
 * message key, which everyone with the link holds, a removed person or a stranger to a locked
 * room too. So a channel carries the room only when its relay cannot be theirs: the room
 * server's own relay (its operator never sees the link), or a relay someone joined to the
 * room while the room is open to anyone with the link anyway (not locked, nobody removed).
 * Otherwise the room state and media keys stay on peer links.
 */
export class RelayRoomState implements RelayRoomHandlers {
  /** Room channels open now. */
  private readonly open = new Set<RelayRoomChannel>();
  /** Those that carry the room (DocSync hub and media keys). */
  private readonly carriers = new Set<RelayRoomChannel>();

  constructor(
    private readonly sync: DocSync,
    private readonly keyring: () => MediaKeyring | null,
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
    if (!this.carriers.has(channel)) return;
    this.sync.pruneHub(channel.id, new Set(members));
    this.sync.askThroughHub(channel.id);
    const key = this.keyring()?.current;
    if (added && key && key.epoch > 0) channel.sendTo(added, ChannelTag.MediaKey, encodeMediaKey(key));
  }

  message(channel: RelayRoomChannel, from: string, tag: number, bytes: Uint8Array, direct: boolean): void {
    if (!this.carriers.has(channel)) return;
    if (tag === ChannelTag.Yjs) this.sync.receiveFromHub(channel.id, from, bytes, direct);
    else if (tag === ChannelTag.MediaKey) {
      const key = decodeMediaKey(bytes);
      if (key) this.keyring()?.offer(key);
    }
  }

  closed(channel: RelayRoomChannel): void {
    this.open.delete(channel);
    if (!this.carriers.delete(channel)) return;
    this.sync.removeChannel(channel.id);
    if (this.carriers.size === 0) this.onCarrying();
  }

  /** A new media key to everyone the carrying relays reach, except the person just removed. */
  sendMediaKey(key: MediaKey, except: string): void {
    const bytes = encodeMediaKey(key);
    for (const channel of this.carriers) for (const peer of channel.peers()) if (peer !== except) channel.sendTo(peer, ChannelTag.MediaKey, bytes);
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
