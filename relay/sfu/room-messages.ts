import { decodeRoomFrame, encodeRoomFrame, RoomMessageKind } from '../../crdt/protocol/room-message-frame';
import type { ForwardingStats } from './stats';
import { TokenBucket } from '../../crdt/protocol/token-bucket';

/** A participant's room data channel, as the hub needs it (node-datachannel's DataChannel in the relay). */
export interface RoomChannel {
  send(frame: Uint8Array): void;
  /** Bytes queued and not yet sent. */
  bufferedAmount(): number;
}

/**
 * What one participant may send: a whole room document (8 MB at most, sync step 2 to a
 * newcomer) at once, then 1 MB/s. Honest pages send far less; past it the session is dropped,
 * because dropping one piece of a chunked message would corrupt the rest for every receiver.
 */
export const ROOM_MESSAGE_BURST_BYTES = 16 * 1024 * 1024;
export const ROOM_MESSAGE_BYTES_PER_SECOND = 1024 * 1024;
/** A receiver with this much queued is not keeping up: it is dropped rather than buffered without end. */
export const MAX_RECEIVER_BACKLOG_BYTES = 16 * 1024 * 1024;

interface Member {
  channel: RoomChannel;
  budget: TokenBucket;
  /** Ends the member's session, saying why. */
  drop(reason: string): void;
}

/**
 * The star for room state (PROTOCOL.md, "Room state through the relay"): what one participant
 * sends on its room data channel goes to everyone else in the room, or to one peer, with the
 * sender's proven peer id put in front. The pieces are sealed with a key the relay does not
 * have; it reads only the frame header.
 */
export class RoomMessageHub {
  private readonly members = new Map<string, Member>();

  constructor(
    private readonly stats: Pick<ForwardingStats, 'roomFramesOut' | 'roomFramesMalformed'>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * `peer` opened its room channel: it hears who is here (oldest first), the others hear of it.
   * Returns what to call with each frame it sends.
   */
  join(peer: string, channel: RoomChannel, drop: (reason: string) => void): (frame: Uint8Array) => void {
    const member: Member = { channel, drop, budget: new TokenBucket(ROOM_MESSAGE_BURST_BYTES, ROOM_MESSAGE_BYTES_PER_SECOND, this.now) };
    for (const [other, m] of [...this.members]) {
      channel.send(presence(other, true));
      this.deliver(other, m, presence(peer, true));
    }
    this.members.set(peer, member);
    return (frame) => this.receive(peer, member, frame);
  }

  leave(peer: string, channel: RoomChannel): void {
    if (this.members.get(peer)?.channel !== channel) return;
    this.members.delete(peer);
    for (const [other, m] of [...this.members]) this.deliver(other, m, presence(peer, false));
  }

  /** Tells every member the relay is alive (called every BEAT_EVERY_MS). */
  beat(): void {
    for (const [peer, m] of [...this.members]) this.deliver(peer, m, BEAT);
  }

  get size(): number {
    return this.members.size;
  }

  private receive(from: string, member: Member, frame: Uint8Array): void {
    if (this.members.get(from) !== member) return;
    const decoded = decodeRoomFrame(frame);
    // Only direct frames name a peer (the recipient); only the relay sends presence and beats.
    if (!decoded || decoded.kind >= RoomMessageKind.Presence || (decoded.kind === RoomMessageKind.Direct) !== (decoded.peer !== '')) {
      this.stats.roomFramesMalformed++;
      return;
    }
    if (!member.budget.take(frame.length)) return member.drop('too much room traffic');
    const out = encodeRoomFrame(decoded.kind, from, decoded.piece);
    if (decoded.kind === RoomMessageKind.Direct) {
      const to = this.members.get(decoded.peer);
      if (to && to !== member) this.deliver(decoded.peer, to, out);
      return;
    }
    for (const [peer, to] of [...this.members]) if (to !== member) this.deliver(peer, to, out);
  }

  private deliver(peer: string, to: Member, frame: Uint8Array): void {
    if (this.members.get(peer) !== to) return;
    if (to.channel.bufferedAmount() > MAX_RECEIVER_BACKLOG_BYTES) {
      this.leave(peer, to.channel);
      return to.drop('not keeping up with the room');
    }
    to.channel.send(frame);
    this.stats.roomFramesOut++;
  }
}

const BEAT = encodeRoomFrame(RoomMessageKind.Beat, '', new Uint8Array(0));
const JOINED = new Uint8Array([1]);
const LEFT = new Uint8Array([0]);
const presence = (peer: string, joined: boolean) => encodeRoomFrame(RoomMessageKind.Presence, peer, joined ? JOINED : LEFT);
