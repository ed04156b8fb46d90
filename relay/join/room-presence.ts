import { RELAY_ANNOUNCE_EVERY_MS } from '../../crdt/protocol/relay-presence';
import type { RoomKeys } from '../../crdt/identity/room-keys';
import { SealedPublisher } from '../../crdt/identity/sealed-publisher';
import { PROTOCOL_VERSION, SIGNALING_LIMITS, type PeerSignal, type RelayAnnouncement, type SignalEnvelope } from '../../crdt/protocol/wire';

/** A newcomer is answered at most this often (a page that reloads in a loop costs little). */
const ANSWER_SAME_PEER_EVERY_MS = 1_000;
const MAX_REMEMBERED_PEERS = 1_000;

export interface PresenceTransport {
  publish(topic: string, data: string): Promise<boolean>;
}

/**
 * A joined relay node's presence in one room (PROTOCOL.md, "Relays in a room"): it announces
 * itself on the room topic, again every RELAY_ANNOUNCE_EVERY_MS, and to each participant that
 * announces (so newcomers learn of it at once), and says goodbye when it stops. Everything is
 * sealed with the room key, like every signal; what does not open or parse is ignored.
 */
export class RoomPresence {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly answeredAt = new Map<string, number>();
  private readonly out: SealedPublisher<boolean>;

  constructor(
    private readonly keys: RoomKeys,
    private readonly announcement: RelayAnnouncement,
    transport: PresenceTransport,
  ) {
    this.out = new SealedPublisher(keys, (topic, sealed) => transport.publish(topic, sealed));
  }

  /** After every (re)connection to signaling. */
  announce(): Promise<boolean> {
    if (!this.timer) this.timer = setInterval(() => void this.announce(), RELAY_ANNOUNCE_EVERY_MS);
    return this.broadcast({ kind: 'relay', relay: this.announcement });
  }

  /** A frame published on a topic we hold: a participant saying hello gets our announcement. */
  async receive(topic: string, data: unknown, nowMs = Date.now()): Promise<void> {
    if (topic !== this.keys.roomTopic || typeof data !== 'string' || data.length > SIGNALING_LIMITS.maxFrameBytes) return;
    const from = announcer(await this.keys.open(data));
    if (from === null || from === this.announcement.id) return;
    if (nowMs - (this.answeredAt.get(from) ?? -Infinity) < ANSWER_SAME_PEER_EVERY_MS) return;
    if (this.answeredAt.size >= MAX_REMEMBERED_PEERS) this.answeredAt.clear();
    this.answeredAt.set(from, nowMs);
    await this.sendTo(from, { kind: 'relay', relay: this.announcement });
  }

  /** Peers forget us at once (instead of when they stop hearing us). */
  async goodbye(): Promise<boolean> {
    clearInterval(this.timer);
    return this.broadcast({ kind: 'relay-bye', id: this.announcement.id });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private broadcast(msg: PeerSignal): Promise<boolean> {
    return this.out.broadcast({ v: PROTOCOL_VERSION, from: this.announcement.id, msg } satisfies SignalEnvelope);
  }

  private sendTo(peerId: string, msg: PeerSignal): Promise<boolean> {
    return this.out.sendTo(peerId, { v: PROTOCOL_VERSION, from: this.announcement.id, to: peerId, msg } satisfies SignalEnvelope);
  }
}

/** The peer id of a participant's `announce` broadcast, or null for anything else. */
function announcer(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  const msg = e.msg as Record<string, unknown> | null;
  if (e.v !== PROTOCOL_VERSION || e.to !== undefined || typeof e.from !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(e.from)) return null;
  return typeof msg === 'object' && msg !== null && msg.kind === 'announce' ? e.from : null;
}
