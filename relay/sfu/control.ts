import type { WebSocket } from 'ws';
import { randomId } from '../../crdt/protocol/base64url';
import type { RelayAccess } from '../../crdt/identity/relay-access';
import { verifyRelayHello } from '../../crdt/identity/relay-proof';
import {
  parseRelayClientMessage,
  RELAY_LIMITS,
  RELAY_PROTOCOL_VERSION,
  type RelayClientMessage,
  type RelayRefusal,
  type RelayServerMessage,
} from '../../crdt/protocol/relay-wire';
import { answerConnection, type Connection, type PeerOptions } from './peer';
import type { Participant, Room } from './room';
import { MAX_RECORDS_PER_ROOM, type RoomGuard } from './room-guard';
import type { GuardedSession, RelayRooms } from './rooms';
import type { ForwardingStats } from './stats';
import { TokenBucket } from '../../crdt/protocol/token-bucket';

/** Messages waiting behind a slow one (a `connect` gathers candidates); past this the socket is dropped. */
const MAX_QUEUED_MESSAGES = 256;
/** Control records a session may offer: as many as a room keeps at once, then a trickle (each costs a verification at worst). */
const RECORD_BURST = MAX_RECORDS_PER_ROOM;
const RECORDS_PER_SECOND = 20;
/**
 * Records in the host's or a co-host's name whose signature fails cost the relay a
 * verification each (~0.3 ms), and an honest page never sends one (it sends only records its
 * own fold applied): a session that sends this many is dropped.
 */
const MAX_FORGED_RECORDS = 3;

/**
 * A relay joined to one room (`confab relay --join`) holds its link: it serves that room only,
 * and only to hellos that show the link (crdt/identity/relay-access.ts).
 */
export interface JoinedRoom {
  topic: string;
  access: RelayAccess;
}

export interface SessionOptions extends PeerOptions {
  joinedRoom?: JoinedRoom;
}

/** Who said hello, proven: the room topic, peer id and participant key of the session. */
interface Identity {
  topic: string;
  /** The relay's room: topic and gate (sessions that show another gate are in another room). */
  roomKey: string;
  peer: string;
  key: string;
  guard: RoomGuard;
}

/**
 * One participant's control socket: `welcome` (a nonce), then a `hello` that proves the
 * participant key, control records, its one connection (connect → answer), subscriptions.
 * Messages are handled one at a time, in order. The room's records decide who may stay: a
 * session whose key they keep out is refused at hello and at connect, and dropped whenever
 * they change. The socket's close ends the connection and removes the participant.
 */
export class ControlSession implements GuardedSession {
  private readonly nonce = randomId(16);
  private identity: Identity | null = null;
  private participant: Participant | null = null;
  private room: Room | null = null;
  private conn: Connection | null = null;
  /** node-datachannel objects of the connection, held while it lives (see Connection.keep). */
  keep: unknown[] = [];
  private connecting = false;
  /** Takes the participant out of the room's message hub (once its data channel opened). */
  private leaveMessages: () => void = () => {};
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly recordBudget = new TokenBucket(RECORD_BURST, RECORDS_PER_SECOND);
  private forgedRecords = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly rooms: RelayRooms,
    private readonly stats: ForwardingStats,
    private readonly opts: SessionOptions,
    /** The node-datachannel glue; unit tests pass a fake. */
    private readonly answer: typeof answerConnection = answerConnection,
  ) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      const msg = text.length <= RELAY_LIMITS.maxMessageBytes ? parseRelayClientMessage(text) : null;
      if (!msg) return this.send({ type: 'error', reason: 'malformed message' });
      if (this.queued >= MAX_QUEUED_MESSAGES) return this.drop('too many messages');
      this.queued++;
      this.queue = this.queue
        .then(() => (this.closed ? undefined : this.handle(msg)))
        .catch((err: Error) => this.send({ type: 'error', reason: `${msg.type}: ${err.message}` }))
        .finally(() => this.queued--);
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
    this.send({
      type: 'welcome',
      v: RELAY_PROTOCOL_VERSION,
      nonce: this.nonce,
      maxVideoSlots: RELAY_LIMITS.maxVideoSlots,
      maxAudioSlots: RELAY_LIMITS.maxAudioSlots,
      screen: true,
    });
  }

  /**
   * The room's records changed: leave if they keep this key out now. Before `connect` only a
   * removal or the room's end counts: a knocker's admission may still come in its own records.
   */
  enforce(): void {
    const id = this.identity;
    const exclusion = id && id.guard.exclusion(id.key);
    if (exclusion && (this.connecting || exclusion === 'removed' || exclusion === 'ended')) this.refuse(exclusion);
  }

  private send(message: RelayServerMessage): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private async handle(msg: RelayClientMessage): Promise<void> {
    if (msg.type === 'hello') return this.hello(msg);
    if (msg.type === 'bye') {
      this.ws.close(1000, 'bye');
      return this.close();
    }
    const id = this.identity;
    if (!id) throw new Error('send hello first');
    if (msg.type === 'control') return this.offerRecords(id, msg.records);
    if (msg.type === 'connect') return this.connect(id, msg);
    const room = this.room;
    const p = this.participant;
    if (!room || !p) throw new Error('send connect first');
    switch (msg.type) {
      case 'candidate':
        if (this.conn && msg.candidate) this.conn.pc.addRemoteCandidate(msg.candidate, msg.mid);
        return;
      case 'subscribe': {
        const error = room.subscribe(p, msg.tile, msg.publisher, msg.layer, performance.now(), msg.source);
        if (error) this.send({ type: 'error', reason: error });
        return;
      }
      case 'pin':
        p.pinned = msg.publisher;
        return;
    }
  }

  private async hello(msg: Extract<RelayClientMessage, { type: 'hello' }>): Promise<void> {
    if (this.identity) throw new Error('hello was already sent');
    const binding = { nonce: this.nonce, room: msg.room, peer: msg.peer };
    const joined = this.opts.joinedRoom;
    const linkShown = !joined || (msg.room === joined.topic && (await joined.access.check(binding, msg.gate, msg.access)));
    if (!linkShown || !(await verifyRelayHello(msg.key, msg.proof, binding))) return this.refuse('bad proof');
    if (this.closed) return;
    const roomKey = `${msg.room}.${msg.gate}`;
    const id: Identity = { topic: msg.room, roomKey, peer: msg.peer, key: msg.key, guard: this.rooms.enter(roomKey, msg.room, this) };
    this.identity = id;
    this.enforce();
  }

  private async offerRecords(id: Identity, records: unknown[]): Promise<void> {
    if (!this.recordBudget.take(records.length)) throw new Error('too many control records');
    const { forged } = await id.guard.offer(records);
    this.forgedRecords += forged;
    if (this.forgedRecords >= MAX_FORGED_RECORDS) this.drop('forged control records');
  }

  private async connect(id: Identity, msg: Extract<RelayClientMessage, { type: 'connect' }>): Promise<void> {
    if (this.connecting) throw new Error('already connected');
    // The records this participant sent before connect are folded by now (messages run in order).
    this.connecting = true;
    this.enforce();
    if (this.closed) return;
    const room = (this.room = this.rooms.mediaRoom(id.roomKey));
    const p = (this.participant = room.join(id.peer, { send: (m) => this.send(m) }));
    const stats = this.stats;
    const conn = await this.answer(
      `relay-${p.id}`,
      msg.sdp,
      msg.layout,
      {
        audio: (buf) => {
          const t0 = performance.now();
          room.onUpAudio(p, buf, t0);
          stats.recordDelay(performance.now() - t0);
        },
        video: (layer, buf) => {
          const t0 = performance.now();
          room.onUpVideo(p, layer, buf, t0);
          stats.recordDelay(performance.now() - t0);
        },
        downRtcp: (buf) => room.onDownRtcp(p, buf, performance.now()),
        opened: () => room.upOpened(p, performance.now()),
        roomChannel: (channel) => {
          const message = room.messages.join(p.id, channel, (reason) => this.drop(reason));
          this.leaveMessages = () => room.messages.leave(p.id, channel);
          return { message, closed: () => this.leaveMessages() };
        },
      },
      this.opts,
    );
    if (this.closed) return conn.close();
    this.conn = conn;
    this.keep = conn.keep;
    room.attachDown(p, conn.down);
    this.send({ type: 'answer', sdp: conn.answerSdp, video: conn.video, audio: conn.audio });
    room.publish(p, conn.up);
  }

  /** Says why (with the records that show it), then ends the session: no more forwarding to or from it. */
  private refuse(reason: RelayRefusal): void {
    if (this.closed) return;
    const id = this.identity;
    this.rooms.sessionsRefused++;
    this.send({ type: 'refused', reason, records: id && reason !== 'bad proof' ? id.guard.recordsFor(id.key) : [] });
    this.ws.close(1008, `refused: ${reason}`);
    this.close();
  }

  private drop(reason: string): void {
    this.send({ type: 'error', reason });
    this.ws.close(1008, reason);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const id = this.identity;
    if (this.room && this.participant) {
      this.leaveMessages();
      this.room.leave(this.participant);
      this.rooms.releaseMedia(id!.roomKey, this.room);
    }
    if (id) this.rooms.exit(id.roomKey, this);
    this.conn?.close();
  }
}
