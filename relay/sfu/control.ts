import type { WebSocket } from 'ws';
import { parseRelayClientMessage, RELAY_LIMITS, RELAY_PROTOCOL_VERSION, type RelayClientMessage, type RelayServerMessage } from '../../crdt/relay-wire';
import { answerConnection, type Connection, type PeerOptions } from './peer';
import { Room, type Participant } from './room';
import type { ForwardingStats } from './stats';

/**
 * One participant's control socket: hello, then its one connection (connect → answer), then
 * subscriptions. The socket's close ends the connection and removes the participant.
 */
export class ControlSession {
  private participant: Participant | null = null;
  private room: Room | null = null;
  private conn: Connection | null = null;
  /** node-datachannel objects of the connection, held while it lives (see Connection.keep). */
  keep: unknown[] = [];
  private connecting = false;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly rooms: Map<string, Room>,
    private readonly stats: ForwardingStats,
    private readonly opts: PeerOptions & { nackCache?: boolean },
  ) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      const msg = text.length <= RELAY_LIMITS.maxMessageBytes ? parseRelayClientMessage(text) : null;
      if (!msg) return this.send({ type: 'error', reason: 'malformed message' });
      this.handle(msg).catch((err: Error) => this.send({ type: 'error', reason: `${msg.type}: ${err.message}` }));
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private send(message: RelayServerMessage): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private async handle(msg: RelayClientMessage): Promise<void> {
    if (msg.type === 'hello') {
      if (this.participant) throw new Error('hello was already sent');
      let room = this.rooms.get(msg.room);
      if (!room) this.rooms.set(msg.room, (room = new Room(this.stats, { nackCache: this.opts.nackCache ?? true })));
      this.room = room;
      this.participant = room.join(msg.peer, { send: (m) => this.send(m) });
      this.send({ type: 'welcome', v: RELAY_PROTOCOL_VERSION, maxVideoSlots: RELAY_LIMITS.maxVideoSlots, maxAudioSlots: RELAY_LIMITS.maxAudioSlots });
      return;
    }
    const room = this.room;
    const p = this.participant;
    if (!room || !p) throw new Error('send hello first');
    switch (msg.type) {
      case 'connect': {
        if (this.connecting) throw new Error('already connected');
        this.connecting = true;
        const stats = this.stats;
        const conn = await answerConnection(
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
          },
          this.opts,
        );
        if (this.closed) return conn.close();
        this.conn = conn;
        this.keep = conn.keep;
        room.attachDown(p, conn.down);
        this.send({ type: 'answer', sdp: conn.answerSdp, video: conn.video, audio: conn.audio });
        room.publish(p, conn.up);
        return;
      }
      case 'candidate':
        if (this.conn && msg.candidate) this.conn.pc.addRemoteCandidate(msg.candidate, msg.mid);
        return;
      case 'subscribe': {
        const error = room.subscribe(p, msg.tile, msg.publisher, msg.layer, performance.now());
        if (error) this.send({ type: 'error', reason: error });
        return;
      }
      case 'bye':
        this.ws.close(1000, 'bye');
        this.close();
        return;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.room && this.participant) {
      this.room.leave(this.participant);
      if (this.room.participants.size === 0) for (const [key, r] of this.rooms) if (r === this.room) this.rooms.delete(key);
    }
    this.conn?.close();
  }
}
