import { RELAY_ANNOUNCE_EVERY_MS, type RelaySignal } from '../../crdt/protocol/relay-presence';
import type { RelayPresenceSigner } from '../../crdt/identity/relay-presence-auth';
import type { RoomKeys } from '../../crdt/identity/room-keys';
import { SealedPublisher } from '../../crdt/identity/sealed-publisher';
import { PROTOCOL_VERSION, SIGNALING_LIMITS, type SignalEnvelope } from '../../crdt/protocol/wire';

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
 * signed by the relay's own key (a fresh seq each time) and sealed with the room key, like
 * every signal; what does not open or parse is ignored.
 */
export class RoomPresence {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly answeredAt = new Map<string, number>();
  private readonly out: SealedPublisher<boolean>;
  /** Said goodbye: announcing again (an answer to a late newcomer) would outrank the goodbye. */
  private gone = false;

  constructor(
    private readonly keys: RoomKeys,
    private readonly signer: RelayPresenceSigner,
    transport: PresenceTransport,
  ) {
    this.out = new SealedPublisher(keys, (topic, sealed) => transport.publish(topic, sealed));
  }

  /** After every (re)connection to signaling. */
  async announce(): Promise<boolean> {
    if (this.gone) return false;
    if (!this.timer) this.timer = setInterval(() => void this.announce(), RELAY_ANNOUNCE_EVERY_MS);
    return this.broadcast('relay');
  }

  /** A frame published on a topic we hold: a participant saying hello gets our announcement. */
  async receive(topic: string, data: unknown, nowMs = Date.now()): Promise<void> {
    if (topic !== this.keys.roomTopic || typeof data !== 'string' || data.length > SIGNALING_LIMITS.maxFrameBytes) return;
    const from = announcer(await this.keys.open(data));
    if (from === null || from === this.signer.announcement.id || this.gone) return;
    if (nowMs - (this.answeredAt.get(from) ?? -Infinity) < ANSWER_SAME_PEER_EVERY_MS) return;
    if (this.answeredAt.size >= MAX_REMEMBERED_PEERS) this.answeredAt.clear();
    this.answeredAt.set(from, nowMs);
    await this.sendTo(from, 'relay');
  }

  /** Peers forget us at once (instead of when they stop hearing us). */
  async goodbye(): Promise<boolean> {
    this.gone = true;
    clearInterval(this.timer);
    return this.broadcast('relay-bye');
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private broadcast(kind: RelaySignal['kind']): Promise<boolean> {
    return this.out.broadcast(this.signer.signal(kind).then((msg): SignalEnvelope => ({ v: PROTOCOL_VERSION, from: msg.relay.id, msg })));
  }

  private sendTo(peerId: string, kind: RelaySignal['kind']): Promise<boolean> {
    return this.out.sendTo(peerId, this.signer.signal(kind).then((msg): SignalEnvelope => ({ v: PROTOCOL_VERSION, from: msg.relay.id, to: peerId, msg })));
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
