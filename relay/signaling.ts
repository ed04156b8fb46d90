import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SIGNALING_LIMITS, type SignalingData, type SignalingServerFrame } from '../crdt/wire';

/** SIGNALING_LIMITS' shape, widened from its literal types so tests can pass tighter limits. */
export type SignalingLimits = { readonly [K in keyof typeof SIGNALING_LIMITS]: number };

const HEARTBEAT_INTERVAL_MS = 30_000;

export interface SignalingRelayOptions {
  /** How often sockets are pinged; one that has not ponged since the last ping is dropped. */
  heartbeatIntervalMs?: number;
}

interface SocketState {
  topics: Set<string>;
  tokens: number;
  lastRefillMs: number;
  malformed: number;
  alive: boolean;
}

/**
 * The signaling relay: y-webrtc's pub/sub protocol over WebSocket. It knows nothing of rooms;
 * topics are opaque strings and payloads opaque ciphertext. Every input is bounded.
 */
export function createSignalingRelay(limits: SignalingLimits = SIGNALING_LIMITS, opts: SignalingRelayOptions = {}) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const subscribers = new Map<string, Set<WebSocket>>();
  const states = new Map<WebSocket, SocketState>();
  const counters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, socketsRejected: 0 };

  const send = (ws: WebSocket, frame: SignalingServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const reject = (ws: WebSocket, reason: string) => {
    counters.socketsRejected++;
    send(ws, { type: 'error', reason });
    ws.close(1008, reason);
  };
  const isTopic = (t: unknown): t is string => typeof t === 'string' && t.length > 0 && t.length <= limits.maxTopicLength;

  const unsubscribe = (ws: WebSocket, topic: string) => {
    const set = subscribers.get(topic);
    set?.delete(ws);
    if (set?.size === 0) subscribers.delete(topic);
    states.get(ws)?.topics.delete(topic);
  };

  /** Token bucket: false once the socket has sent faster than allowed. */
  const withinRate = (state: SocketState): boolean => {
    const nowMs = Date.now();
    state.tokens = Math.min(limits.frameBurst, state.tokens + ((nowMs - state.lastRefillMs) / 1000) * limits.framesPerSecond);
    state.lastRefillMs = nowMs;
    state.tokens -= 1;
    return state.tokens >= 0;
  };

  const onFrame = (ws: WebSocket, state: SocketState, raw: RawData, isBinary: boolean) => {
    // ws keeps emitting frames already buffered after close(): a rejected flood costs nothing more.
    if (ws.readyState !== ws.OPEN) return;
    counters.framesIn++;
    counters.bytesIn += rawLength(raw);
    if (!withinRate(state)) return reject(ws, 'too many messages');
    const frame = isBinary ? null : parse(raw.toString());
    const malformed = () => {
      if (++state.malformed > limits.maxMalformedFrames) reject(ws, 'too many malformed messages');
    };
    if (!frame) return malformed();
    switch (frame.type) {
      case 'subscribe': {
        if (!Array.isArray(frame.topics) || !frame.topics.every(isTopic)) return malformed();
        const fresh = (frame.topics as string[]).filter((t) => !state.topics.has(t));
        if (state.topics.size + new Set(fresh).size > limits.maxTopicsPerSocket) return reject(ws, 'too many topics');
        for (const topic of fresh) {
          state.topics.add(topic);
          let set = subscribers.get(topic);
          if (!set) subscribers.set(topic, (set = new Set()));
          set.add(ws);
        }
        return;
      }
      case 'unsubscribe':
        if (!Array.isArray(frame.topics) || !frame.topics.every(isTopic)) return malformed();
        for (const topic of frame.topics as string[]) unsubscribe(ws, topic);
        return;
      case 'publish': {
        if (!isTopic(frame.topic) || !isData(frame.data)) return malformed();
        const set = subscribers.get(frame.topic);
        if (!set) return;
        const out = JSON.stringify({ type: 'publish', topic: frame.topic, data: frame.data as SignalingData, clients: set.size } satisfies SignalingServerFrame);
        for (const peer of set) {
          if (peer === ws || peer.readyState !== peer.OPEN) continue;
          peer.send(out);
          counters.framesOut++;
          counters.bytesOut += out.length;
        }
        return;
      }
      case 'ping':
        return send(ws, { type: 'pong' });
      default:
        return malformed();
    }
  };

  wss.on('connection', (ws) => {
    const state: SocketState = { topics: new Set(), tokens: limits.frameBurst, lastRefillMs: Date.now(), malformed: 0, alive: true };
    states.set(ws, state);
    ws.on('pong', () => (state.alive = true));
    ws.on('message', (raw, isBinary) => {
      try {
        onFrame(ws, state, raw, isBinary);
      } catch (err) {
        console.warn('[signaling] dropped a frame:', err);
      }
    });
    // ws follows every error with its own close (1009 for oversize); terminating here could
    // drop that close frame before it is flushed.
    ws.on('error', () => {});
    ws.on('close', () => {
      for (const topic of [...state.topics]) unsubscribe(ws, topic);
      states.delete(ws);
    });
  });

  // Half-open sockets (a laptop lid closed mid-call) never send close: find them by ping.
  const heartbeat = setInterval(() => {
    for (const [ws, state] of states) {
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  return {
    wss,
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      socket.on('error', () => socket.destroy());
      try {
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      } catch {
        socket.destroy();
      }
    },
    stats: () => ({ sockets: states.size, topics: subscribers.size, ...counters }),
    close(): Promise<void> {
      clearInterval(heartbeat);
      for (const ws of states.keys()) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

export type SignalingRelay = ReturnType<typeof createSignalingRelay>;

/** A string (Confab's ciphertext) or a JSON object (y-webrtc without a password). */
function isData(v: unknown): v is SignalingData {
  return typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v));
}

function rawLength(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((n, b) => n + b.length, 0);
  return raw instanceof ArrayBuffer ? raw.byteLength : raw.length;
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
