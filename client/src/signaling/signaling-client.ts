import { ReconnectingSocket } from '../../../crdt/protocol/reconnecting-socket';
import type { RelayOffer, SignalingClientFrame, SignalingServerFrame, SubscribeRefusal } from '../../../crdt/protocol/wire';

/** `refused`: connected, but the server would not subscribe a topic (room or server full). */
export type SignalingStatus = 'connecting' | 'open' | 'refused' | 'reconnecting' | 'closed';

export interface SignalingRefusal {
  reason: SubscribeRefusal;
  limit: number;
}

export interface SignalingClientOptions {
  url: string;
  onMessage(topic: string, data: string): void;
  onStatus?(status: SignalingStatus): void;
  /** Called after every (re)connection, once topics are subscribed again. */
  onOpen?(): void;
  /** The server's welcome frame arrived (ICE servers, relay offer). */
  onWelcome?(): void;
  WebSocketImpl?: typeof WebSocket;
  /** While refused, how often to ask again (someone may have left the full room). */
  refusedRetryMs?: number;
}

const MAX_QUEUED_FRAMES = 200;
const REFUSED_RETRY_MS = 15_000;

/**
 * A y-webrtc-protocol signaling client for a page: one ReconnectingSocket (backoff, pings,
 * probes: crdt/protocol/reconnecting-socket.ts) that subscribes its topics again on every
 * connection, queues what is published while it is down, reads the welcome frame, and asks
 * again, now and then, while a full room refuses it.
 */
export class SignalingClient {
  private readonly conn: ReconnectingSocket<WebSocket>;
  private readonly topics = new Set<string>();
  private readonly queue: string[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The pong that answers the last retried subscribe: no refusal before it means we are in. */
  private retryPong = -1;
  status: SignalingStatus = 'connecting';
  /** Why the server refused us, while status is `refused`. */
  refusal: SignalingRefusal | null = null;
  /** STUN/TURN servers from the server's welcome frame; none until (or unless) it names some. */
  iceServers: RTCIceServer[] = [];
  /** Set when the server runs a relay node beside its signaling (from the welcome frame). */
  relay: RelayOffer | null = null;

  constructor(private readonly opts: SignalingClientOptions) {
    const Impl = opts.WebSocketImpl ?? WebSocket;
    this.conn = new ReconnectingSocket<WebSocket>({
      dial: () => new Impl(opts.url),
      onOpen: () => this.opened(),
      onFrame: (frame) => this.onFrame(frame),
      onDown: (cause) => {
        if (cause === 'closed') {
          clearTimeout(this.retryTimer);
          this.refusal = null;
        }
        if (cause === 'closed' || cause === 'no-pong') this.setStatus('reconnecting');
      },
    });
  }

  subscribe(topics: string[]): void {
    const fresh = topics.filter((t) => !this.topics.has(t));
    for (const t of fresh) this.topics.add(t);
    if (fresh.length > 0 && this.status === 'open') this.conn.send({ type: 'subscribe', topics: fresh });
  }

  publish(topic: string, data: string): void {
    const frame = JSON.stringify({ type: 'publish', topic, data } satisfies SignalingClientFrame);
    if (this.status === 'open' && this.conn.socket) {
      this.conn.socket.send(frame);
    } else if (this.queue.length < MAX_QUEUED_FRAMES) {
      this.queue.push(frame);
    }
  }

  /**
   * Peer connections are in trouble (a network drop): the socket may be half-open, which the
   * browser would notice only minutes later. Ping now and replace the socket if no pong comes
   * soon; while not open, retry at once instead of waiting out the backoff.
   */
  probe(pongTimeoutMs?: number): void {
    this.conn.probe(pongTimeoutMs);
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.conn.close();
    this.setStatus('closed');
  }

  private opened(): void {
    this.retryPong = -1;
    this.refusal = null;
    this.setStatus('open');
    if (this.topics.size > 0) this.conn.send({ type: 'subscribe', topics: [...this.topics] });
    this.flush();
    this.opts.onOpen?.();
  }

  private onFrame(frame: SignalingServerFrame): void {
    if (frame.type === 'publish' && typeof frame.topic === 'string' && typeof frame.data === 'string') {
      this.opts.onMessage(frame.topic, frame.data);
    } else if (frame.type === 'welcome') {
      this.iceServers = Array.isArray(frame.iceServers) ? frame.iceServers.filter(isIceServer) : [];
      const meshMax = (frame.relay as Partial<RelayOffer> | undefined)?.meshMax;
      this.relay = Number.isInteger(meshMax) && meshMax! >= 1 ? { meshMax: meshMax! } : null;
      this.opts.onWelcome?.();
    } else if (frame.type === 'refused' && this.topics.has(frame.topic)) {
      this.refusal = { reason: frame.reason, limit: Number(frame.limit) || 0 };
      this.setStatus('refused');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.retrySubscribe(), this.opts.refusedRetryMs ?? REFUSED_RETRY_MS);
    } else if (frame.type === 'pong') {
      if (this.status === 'refused' && this.conn.pongsReceived === this.retryPong && !this.refusal) this.admitted();
    }
  }

  /** Frames on one socket are answered in order: subscribe, then ping, then see what came back. */
  private retrySubscribe(): void {
    this.refusal = null;
    this.conn.send({ type: 'subscribe', topics: [...this.topics] });
    this.conn.ping();
    this.retryPong = this.conn.pingsSent;
  }

  private admitted(): void {
    this.setStatus('open');
    this.flush();
    this.opts.onOpen?.();
  }

  private flush(): void {
    const socket = this.conn.socket;
    for (const frame of this.queue.splice(0)) socket?.send(frame);
  }

  private setStatus(status: SignalingStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }
}

/** The welcome frame comes from whatever server the link names: take only well-formed entries. */
function isIceServer(v: unknown): v is RTCIceServer {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
  return (
    urls.length > 0 &&
    urls.every((u) => typeof u === 'string' && /^(stuns?|turns?):/.test(u)) &&
    (s.username === undefined || typeof s.username === 'string') &&
    (s.credential === undefined || typeof s.credential === 'string')
  );
}
