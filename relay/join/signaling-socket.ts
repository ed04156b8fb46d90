import WebSocket from 'ws';
import { ReconnectingSocket } from '../../crdt/protocol/reconnecting-socket';
import { SIGNALING_LIMITS, type SignalingClientFrame, type SignalingServerFrame } from '../../crdt/protocol/wire';

const CONNECT_TIMEOUT_MS = 10_000;

export interface SignalingSocketOptions {
  url: string;
  /** Subscribed again on every (re)connection. */
  topics: string[];
  /** The socket is open and the topics asked for; `pong` then tells the subscribe was taken. */
  onOpen(): void;
  onFrame(frame: SignalingServerFrame): void;
  /** The socket closed, could not open or stopped answering; it is dialled again after `retryInMs`. */
  onDown(reason: string, retryInMs: number): void;
}

/**
 * A relay node's connection to a room's signaling relay (y-webrtc protocol, PROTOCOL.md): the
 * page's reconnecting socket (crdt/protocol/reconnecting-socket.ts: backoff, pings, replacing a
 * socket that stops answering) on Node's `ws`, which also says why a connection failed.
 */
export class SignalingSocket {
  private readonly conn: ReconnectingSocket<WebSocket>;

  constructor(opts: SignalingSocketOptions) {
    this.conn = new ReconnectingSocket<WebSocket>({
      dial: () => new WebSocket(opts.url, { maxPayload: SIGNALING_LIMITS.maxFrameBytes, handshakeTimeout: CONNECT_TIMEOUT_MS }),
      onOpen: () => {
        this.conn.send({ type: 'subscribe', topics: opts.topics });
        opts.onOpen();
      },
      onFrame: (frame) => opts.onFrame(frame),
      onDown: (_cause, reason, retryInMs) => opts.onDown(reason, Math.round(retryInMs)),
      describe: (ev) => {
        const e = ev as { error?: Error; code?: number; reason?: string };
        if (e.error) return describe(e.error);
        return `closed (${e.code ?? 1006}${e.reason ? ` ${e.reason}` : ''})`;
      },
      abandon: (ws) => {
        ws.removeAllListeners();
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        ws.on('error', () => {});
        ws.terminate();
      },
      shut: (ws) => ws.close(1001, 'going away'),
    });
  }

  get open(): boolean {
    return this.conn.open;
  }

  /** Resolves once the frame is handed to the socket; false when it is not open (nothing queued). */
  send(frame: SignalingClientFrame): Promise<boolean> {
    const ws = this.conn.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    return new Promise((resolve) => ws.send(JSON.stringify(frame), (err) => resolve(!err)));
  }

  /** Waits `delayMs`, then dials again (after a refusal: ask again a little later). */
  redial(delayMs: number): void {
    this.conn.redial(delayMs);
  }

  close(): void {
    this.conn.close();
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
