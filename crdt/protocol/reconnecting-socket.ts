import type { SignalingClientFrame, SignalingServerFrame } from './wire';

/** The little of a WebSocket this uses: the browser's, or `ws`'s in Node (same properties). */
export interface SocketLike {
  readonly readyState: number;
  send(text: string): void;
  close(): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}

const OPEN = 1;
const CONNECTING = 0;

export const RECONNECT_TIMINGS = {
  backoffMinMs: 500,
  backoffMaxMs: 10_000,
  /** A routine ping this often; a socket that does not answer within pongTimeoutMs is replaced. */
  pingEveryMs: 20_000,
  /** Lenient: a busy machine may answer slowly. */
  pongTimeoutMs: 10_000,
  /** probe(): a socket that does not answer this fast, or does not open this fast, is replaced. */
  probeTimeoutMs: 2_000,
  /** A connection attempt that hangs (its packets go nowhere) is abandoned after this. */
  connectTimeoutMs: 10_000,
};

/**
 * Why the socket went: `closed` (it closed or failed: dialled again after a backoff), or it was
 * replaced at once — it hung while connecting, a probe found it not open, or it missed a pong.
 */
export type DownCause = 'closed' | 'connect-timeout' | 'probe' | 'no-pong' | 'redial';

export interface ReconnectingSocketOptions<S extends SocketLike> {
  dial(): S;
  /** The socket is open (after every reconnection); `subscribe` your topics here. */
  onOpen(): void;
  /** Every well-formed frame, pongs included. */
  onFrame(frame: SignalingServerFrame): void;
  /** The socket is gone; a new one is dialled in `retryInMs` (0: at once). */
  onDown?(cause: DownCause, reason: string, retryInMs: number): void;
  /** Why a socket failed, from its error event or (without one) its close event (default: "closed"). */
  describe?(ev: unknown): string;
  /** Lets go of a socket being replaced (default: handlers off, then close). */
  abandon?(socket: S): void;
  /** Closes the socket for good (default: close). */
  shut?(socket: S): void;
  timings?: Partial<typeof RECONNECT_TIMINGS>;
}

/**
 * One connection to a signaling relay (y-webrtc's protocol) that stays up: it dials again with
 * jittered exponential backoff after a close, replaces a socket that hangs while connecting
 * or stops answering pings (half-open after a network drop), and can be probed at once when
 * something else suggests trouble. The page's SignalingClient and a joined relay node's
 * SignalingSocket are both this, with their own frames on top.
 */
export class ReconnectingSocket<S extends SocketLike> {
  private current: S | null = null;
  private backoffMs: number;
  private readonly t: typeof RECONNECT_TIMINGS;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private connectStartedMs = 0;
  private closed = false;
  /** Pings sent and pongs received on the current socket. */
  pingsSent = 0;
  pongsReceived = 0;

  constructor(private readonly opts: ReconnectingSocketOptions<S>) {
    this.t = { ...RECONNECT_TIMINGS, ...opts.timings };
    this.backoffMs = this.t.backoffMinMs;
    this.connect();
  }

  get socket(): S | null {
    return this.current;
  }

  get open(): boolean {
    return this.current?.readyState === OPEN;
  }

  /** False (nothing queued) unless the socket is open. */
  send(frame: SignalingClientFrame): boolean {
    if (this.current?.readyState !== OPEN) return false;
    this.current.send(JSON.stringify(frame));
    return true;
  }

  ping(): void {
    this.pingsSent++;
    this.send({ type: 'ping' });
  }

  /**
   * Something suggests the socket is dead (peer links in trouble): ping now and replace it if no
   * pong comes within `pongTimeoutMs`; while not open, dial again at once instead of waiting out
   * the backoff.
   */
  probe(pongTimeoutMs = this.t.probeTimeoutMs): void {
    if (this.closed || this.pongTimer) return;
    if (this.current?.readyState !== OPEN) {
      if (Date.now() - this.connectStartedMs < this.t.probeTimeoutMs) return;
      this.backoffMs = this.t.backoffMinMs;
      this.replace('probe', 'not open');
      return;
    }
    this.ping();
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      this.replace('no-pong', 'no answer to a ping');
    }, pongTimeoutMs);
  }

  /** Lets the socket go and dials again after `delayMs`, backoff untouched (after a refusal: ask again later). */
  redial(delayMs: number): void {
    this.replace('redial', `retrying in ${delayMs} ms`, delayMs);
  }

  close(): void {
    this.closed = true;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    const socket = this.current;
    this.current = null;
    if (socket) (this.opts.shut ?? ((s: S) => s.close()))(socket);
  }

  private stopTimers(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    clearInterval(this.pingTimer);
  }

  /** Abandons the current socket (it may never even say closed) and dials a new one after `delayMs`. */
  private replace(cause: DownCause, reason: string, delayMs = 0): void {
    const old = this.current;
    this.current = null;
    clearTimeout(this.reconnectTimer);
    this.stopTimers();
    if (old) {
      if (this.opts.abandon) this.opts.abandon(old);
      else {
        old.onopen = old.onmessage = old.onclose = old.onerror = null;
        old.close();
      }
    }
    if (this.closed) return;
    this.opts.onDown?.(cause, reason, delayMs);
    if (delayMs > 0) this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    else this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    this.connectStartedMs = Date.now();
    const socket = this.opts.dial();
    this.current = socket;
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (this.current === socket && socket.readyState === CONNECTING && !this.closed) this.replace('connect-timeout', 'no answer while connecting');
    }, this.t.connectTimeoutMs);
    socket.onopen = () => {
      clearTimeout(this.connectTimer);
      this.backoffMs = this.t.backoffMinMs;
      this.pingsSent = this.pongsReceived = 0;
      // A socket that stops answering (half-open after a network drop) is replaced.
      this.pingTimer = setInterval(() => this.probe(this.t.pongTimeoutMs), this.t.pingEveryMs);
      this.opts.onOpen();
    };
    socket.onmessage = ({ data }: { data: unknown }) => {
      if (typeof data !== 'string' || this.current !== socket) return;
      let frame: SignalingServerFrame;
      try {
        frame = JSON.parse(data) as SignalingServerFrame;
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null) return;
      if (frame.type === 'pong') {
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        this.pongsReceived++;
      }
      this.opts.onFrame(frame);
    };
    let failure: string | null = null;
    socket.onerror = (ev: unknown) => {
      failure ??= this.opts.describe?.(ev) ?? null;
    };
    socket.onclose = (ev: unknown) => {
      if (this.current !== socket || this.closed) return;
      failure ??= this.opts.describe?.(ev) ?? 'closed';
      this.current = null;
      this.stopTimers();
      const delayMs = this.backoffMs * (0.75 + Math.random() * 0.5);
      this.backoffMs = Math.min(this.backoffMs * 2, this.t.backoffMaxMs);
      this.opts.onDown?.('closed', failure, delayMs);
      this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    };
  }
}
