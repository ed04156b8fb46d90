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

const PING_INTERVAL_MS = 20_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const MAX_QUEUED_FRAMES = 200;
const REFUSED_RETRY_MS = 15_000;
/** probe(): a socket that does not answer a ping this fast, or does not open this fast, is replaced. */
const PROBE_TIMEOUT_MS = 2_000;
/** The routine ping (every PING_INTERVAL_MS) is lenient: a busy machine may answer slowly. */
const ROUTINE_PONG_TIMEOUT_MS = 10_000;
/** A connection attempt that hangs (its packets go nowhere) is abandoned after this. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A y-webrtc-protocol signaling client that reconnects with backoff and resubscribes. */
export class SignalingClient {
  private socket: WebSocket | null = null;
  private readonly topics = new Set<string>();
  private readonly queue: string[] = [];
  private backoffMs = BACKOFF_MIN_MS;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingsSent = 0;
  private pongsReceived = 0;
  /** The pong that answers the last retried subscribe: no refusal before it means we are in. */
  private retryPong = -1;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private connectStartedMs = 0;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  status: SignalingStatus = 'connecting';
  /** Why the server refused us, while status is `refused`. */
  refusal: SignalingRefusal | null = null;
  /** STUN/TURN servers from the server's welcome frame; none until (or unless) it names some. */
  iceServers: RTCIceServer[] = [];
  /** Set when the server runs a relay node beside its signaling (from the welcome frame). */
  relay: RelayOffer | null = null;

  constructor(private readonly opts: SignalingClientOptions) {
    this.connect();
  }

  subscribe(topics: string[]): void {
    const fresh = topics.filter((t) => !this.topics.has(t));
    for (const t of fresh) this.topics.add(t);
    if (fresh.length > 0 && this.status === 'open') this.send({ type: 'subscribe', topics: fresh });
  }

  publish(topic: string, data: string): void {
    const frame = JSON.stringify({ type: 'publish', topic, data } satisfies SignalingClientFrame);
    if (this.status === 'open' && this.socket) {
      this.socket.send(frame);
    } else if (this.queue.length < MAX_QUEUED_FRAMES) {
      this.queue.push(frame);
    }
  }

  /**
   * Peer connections are in trouble (a network drop): the socket may be half-open, which the
   * browser would notice only minutes later. Ping now and replace the socket if no pong comes
   * within PROBE_TIMEOUT_MS; while not open, retry at once instead of waiting out the backoff.
   */
  probe(pongTimeoutMs = PROBE_TIMEOUT_MS): void {
    if (this.closed || this.probeTimer) return;
    if (this.socket?.readyState !== 1) {
      if (Date.now() - this.connectStartedMs < PROBE_TIMEOUT_MS) return;
      this.backoffMs = BACKOFF_MIN_MS;
      this.replaceSocket();
      return;
    }
    this.ping();
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.setStatus('reconnecting');
      this.replaceSocket();
    }, pongTimeoutMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.setStatus('closed');
  }

  /** Abandons the current socket (it may never even say closed) and dials a new one now. */
  private replaceSocket(): void {
    const old = this.socket;
    this.socket = null;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    clearInterval(this.pingTimer);
    if (old) {
      old.onopen = old.onmessage = old.onclose = old.onerror = null;
      old.close();
    }
    this.connect();
  }

  private connect(): void {
    this.connectStartedMs = Date.now();
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    const socket = new Impl(this.opts.url);
    this.socket = socket;
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (this.socket === socket && socket.readyState === 0 && !this.closed) this.replaceSocket();
    }, CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(this.connectTimer);
      this.backoffMs = BACKOFF_MIN_MS;
      this.pingsSent = this.pongsReceived = 0;
      this.retryPong = -1;
      this.refusal = null;
      this.setStatus('open');
      if (this.topics.size > 0) this.send({ type: 'subscribe', topics: [...this.topics] });
      for (const frame of this.queue.splice(0)) socket.send(frame);
      // A socket that stops answering (half-open after a network drop) is replaced.
      this.pingTimer = setInterval(() => this.probe(ROUTINE_PONG_TIMEOUT_MS), PING_INTERVAL_MS);
      this.opts.onOpen?.();
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let frame: SignalingServerFrame;
      try {
        frame = JSON.parse(event.data) as SignalingServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'pong') {
        clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
      }
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
        this.pongsReceived++;
        if (this.status === 'refused' && this.pongsReceived === this.retryPong && !this.refusal) this.admitted();
      }
    };
    socket.onclose = () => {
      clearInterval(this.pingTimer);
      clearTimeout(this.retryTimer);
      if (this.socket !== socket || this.closed) return;
      clearTimeout(this.connectTimer);
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      this.refusal = null;
      this.setStatus('reconnecting');
      const delayMs = this.backoffMs * (0.75 + Math.random() * 0.5);
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    };
    socket.onerror = () => {
      /* onclose follows and schedules the reconnect */
    };
  }

  /** Frames on one socket are answered in order: subscribe, then ping, then see what came back. */
  private retrySubscribe(): void {
    this.refusal = null;
    this.send({ type: 'subscribe', topics: [...this.topics] });
    this.ping();
    this.retryPong = this.pingsSent;
  }

  private admitted(): void {
    this.setStatus('open');
    for (const frame of this.queue.splice(0)) this.socket?.send(frame);
    this.opts.onOpen?.();
  }

  private ping(): void {
    this.pingsSent++;
    this.send({ type: 'ping' });
  }

  private send(frame: SignalingClientFrame): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(frame));
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
