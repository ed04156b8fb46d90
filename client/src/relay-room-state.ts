import type { DocSync } from '../../crdt/doc-sync';
import { ChannelTag } from '../../crdt/wire';
import { decodeMediaKey, encodeMediaKey } from './media/e2ee/media-key-message';
import type { MediaKey, MediaKeyring } from './media/e2ee/media-keyring';
import type { RelayRoomChannel, RelayRoomHandlers } from './net/relay-room-channel';

/** How many peers a page asks for the room state when it reaches a relay (the oldest: most likely complete). */
const PEERS_ASKED = 2;

/**
 * What the room session does with each relay link's room channel: the room document syncs
 * through it (DocSync's hub: edits broadcast once, sync step 1 to a couple of peers) and media
 * keys reach whoever the relay reaches. The relay admits only those the room's records let in,
 * so whoever appears on the channel gets the current key, as a newcomer on a mesh link does.
 * Unlike a mesh link (DTLS, end to end), a key through the relay is sealed with the room's
 * message key, which a removed person also holds: only an honest relay keeps it from them.
 */
export class RelayRoomState implements RelayRoomHandlers {
  private readonly open = new Set<RelayRoomChannel>();

  constructor(
    private readonly sync: DocSync,
    private readonly keyring: () => MediaKeyring | null,
    /** Whether any relay carries room state changed. */
    private readonly onCarrying: () => void,
  ) {}

  /** Some relay link's room channel is open: the room state reaches the room through it. */
  carrying(): boolean {
    return this.open.size > 0;
  }

  opened(channel: RelayRoomChannel): void {
    this.open.add(channel);
    if (this.open.size === 1) this.onCarrying();
    this.sync.addHub(
      channel.id,
      { send: (bytes) => channel.broadcast(ChannelTag.Yjs, bytes), sendTo: (peer, bytes) => channel.sendTo(peer, ChannelTag.Yjs, bytes) },
      () => channel.peers().slice(0, PEERS_ASKED),
    );
  }

  peers(channel: RelayRoomChannel, members: readonly string[], added: string | null): void {
    if (!this.open.has(channel)) return;
    this.sync.pruneHub(channel.id, new Set(members));
    this.sync.askThroughHub(channel.id);
    const key = this.keyring()?.current;
    if (added && key && key.epoch > 0) channel.sendTo(added, ChannelTag.MediaKey, encodeMediaKey(key));
  }

  message(channel: RelayRoomChannel, from: string, tag: number, bytes: Uint8Array, direct: boolean): void {
    if (tag === ChannelTag.Yjs) this.sync.receiveFromHub(channel.id, from, bytes, direct);
    else if (tag === ChannelTag.MediaKey) {
      const key = decodeMediaKey(bytes);
      if (key) this.keyring()?.offer(key);
    }
  }

  closed(channel: RelayRoomChannel): void {
    if (!this.open.delete(channel)) return;
    this.sync.removeChannel(channel.id);
    if (this.open.size === 0) this.onCarrying();
  }

  /** A new media key to everyone the relays reach, except the person just removed. */
  sendMediaKey(key: MediaKey, except: string): void {
    const bytes = encodeMediaKey(key);
    for (const channel of this.open) for (const peer of channel.peers()) if (peer !== except) channel.sendTo(peer, ChannelTag.MediaKey, bytes);
  }
}
