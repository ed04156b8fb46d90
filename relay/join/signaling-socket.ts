import WebSocket from 'ws';
import { SIGNALING_LIMITS, type SignalingClientFrame, type SignalingServerFrame } from '../../crdt/protocol/wire';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const PING_EVERY_MS = 20_000;
/** A socket that has not answered a ping by the next one is replaced. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface SignalingSocketOptions {
  url: string;
  /** Subscribed again on every (re)connection. */
  topics: string[];
  /** The socket is open and the topics asked for; `pong` then tells the subscribe was taken. */
  onOpen(): void;
  onFrame(frame: SignalingServerFrame): void;
  /** The socket closed or could not open; it is dialled again after `retryInMs`. */
  onDown(reason: string, retryInMs: number): void;
}

/**
 * A relay node's connection to a room's signaling relay (y-webrtc protocol, PROTOCOL.md): it
 * reconnects with backoff, subscribes its topics again, and is replaced when it stops answering
 * pings. The browser's SignalingClient does the same for pages; this one runs in Node on `ws`.
 */
export class SignalingSocket {
  private ws: WebSocket | null = null;
  private backoffMs = BACKOFF_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private answered = true;
  private closed = false;

  constructor(private readonly opts: SignalingSocketOptions) {
    this.connect();
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Resolves once the frame is handed to the socket; false when it is not open (nothing queued). */
  send(frame: SignalingClientFrame): Promise<boolean> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    return new Promise((resolve) => ws.send(JSON.stringify(frame), (err) => resolve(!err)));
  }

  /** Waits `delayMs`, then dials again (after a refusal: ask again a little later). */
  redial(delayMs: number): void {
    this.drop(`retrying in ${delayMs} ms`, delayMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1001, 'going away');
    this.ws = null;
  }

  private connect(): void {
    if (this.closed) return;
    const ws = (this.ws = new WebSocket(this.opts.url, { maxPayload: SIGNALING_LIMITS.maxFrameBytes, handshakeTimeout: CONNECT_TIMEOUT_MS }));
    ws.on('open', () => {
      this.backoffMs = BACKOFF_MIN_MS;
      this.answered = true;
      void this.send({ type: 'subscribe', topics: this.opts.topics });
      this.pingTimer = setInterval(() => {
        if (!this.answered) return this.drop('no answer to a ping');
        this.answered = false;
        void this.send({ type: 'ping' });
      }, PING_EVERY_MS);
      this.opts.onOpen();
    });
    ws.on('message', (data, binary) => {
      if (binary || this.ws !== ws) return;
      let frame: SignalingServerFrame;
      try {
        frame = JSON.parse(data.toString()) as SignalingServerFrame;
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null) return;
      if (frame.type === 'pong') this.answered = true;
      this.opts.onFrame(frame);
    });
    ws.on('error', (err) => {
      if (this.ws === ws) this.drop(describe(err));
    });
    ws.on('close', (code, reason) => {
      if (this.ws === ws) this.drop(`closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  private drop(reason: string, delayMs?: number): void {
    const old = this.ws;
    this.ws = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    if (old) {
      old.removeAllListeners();
      old.on('error', () => {});
      old.terminate();
    }
    if (this.closed) return;
    const waitMs = delayMs ?? Math.round(this.backoffMs * (0.75 + Math.random() * 0.5));
    if (delayMs === undefined) this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    this.opts.onDown(reason, waitMs);
    this.retryTimer = setTimeout(() => this.connect(), waitMs);
  }
}

/** What went wrong, said for a person: refused, not found, or a certificate not trusted. */
function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `its certificate is not trusted (${code}); for a self-signed Confab set NODE_EXTRA_CA_CERTS to its confab-cert.pem`;
  }
  return err.message || code || 'error';
}
