import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, SIGNALING_LIMITS, type IceServer, type RelayOffer, type SignalingData, type SignalingServerFrame, type SubscribeRefusal } from '../crdt/protocol/wire';
import { TokenBucket, wallClockMs } from '../crdt/protocol/token-bucket';
import { silentLogger, type Logger } from './log';
import { AddressLedger, addressKey, clientAddress } from './signaling-addresses';

/** SIGNALING_LIMITS' shape, widened from its literal types so tests can pass tighter limits. */
export type SignalingLimits = { readonly [K in keyof typeof SIGNALING_LIMITS]: number };

const HEARTBEAT_INTERVAL_MS = 30_000;
/** On shutdown, how long sockets get to answer our close frame before they are cut. */
const CLOSE_GRACE_MS = 1_000;

export interface SignalingRelayOptions {
  /** How often sockets are pinged; one that has not ponged since the last ping is dropped. */
  heartbeatIntervalMs?: number;
  /** STUN/TURN servers sent to every socket in its welcome frame (default none). */
  iceServers?: IceServer[];
  /** Says in the welcome frame that a relay node runs beside this signaling relay. */
  relay?: RelayOffer;
  /** Subscribers one topic may have (a room is a topic). Default: unlimited. */
  maxPeersPerTopic?: number;
  /** Topics with two or more subscribers (rooms) the relay holds at once. Default: unlimited. */
  maxRooms?: number;
  /** Rooms one network may take part in at once (default limits.maxRoomsPerAddress). */
  maxRoomsPerAddress?: number;
  log?: Logger;
  /** Other nodes of a cluster (relay/cluster/redis-bus.ts): their subscribers of a topic hear publishes here too. */
  bus?: SignalingBus;
}

/** What the signaling relay tells the other nodes; they hand their publishes to `deliver`. */
export interface SignalingBus {
  /** The first socket here subscribed to `topic`, or the last one left. */
  join(topic: string): void;
  leave(topic: string): void;
  publish(topic: string, data: SignalingData): void;
}

interface SocketState {
  topics: Set<string>;
  /** Topics this socket was refused: it may not publish there either. */
  refused: Set<string>;
  address: string;
  /** The network it counts against (signaling-addresses.ts addressKey). */
  network: string;
  /** Frames it may still send: false from `take` once it sends faster than allowed. */
  rate: TokenBucket;
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
  const counters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, socketsRejected: 0, subscriptionsRefused: 0 };
  const log = opts.log ?? silentLogger;
  const maxPeersPerTopic = opts.maxPeersPerTopic ?? Infinity;
  const maxRooms = opts.maxRooms ?? Infinity;
  const maxRoomsPerAddress = opts.maxRoomsPerAddress ?? limits.maxRoomsPerAddress;
  const networks = new AddressLedger();
  /** Topics with two or more subscribers, kept up to date on every (un)subscribe. */
  let rooms = 0;
  const welcome = JSON.stringify({
    type: 'welcome',
    v: PROTOCOL_VERSION,
    iceServers: opts.iceServers ?? [],
    ...(opts.relay ? { relay: opts.relay } : {}),
  } satisfies SignalingServerFrame);

  const send = (ws: WebSocket, frame: SignalingServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const reject = (ws: WebSocket, reason: string) => {
    counters.socketsRejected++;
    log.warn('socket rejected', { reason, address: states.get(ws)?.address });
    send(ws, { type: 'error', reason });
    ws.close(1008, reason);
  };
  const isTopic = (t: unknown): t is string => typeof t === 'string' && t.length > 0 && t.length <= limits.maxTopicLength;

  const unsubscribe = (ws: WebSocket, topic: string) => {
    const set = subscribers.get(topic);
    const state = states.get(ws);
    if (set?.delete(ws)) {
      if (set.size === 1) rooms--;
      if (state) networks.unsubscribed(state.network, topic, set.size);
    }
    if (set?.size === 0) {
      subscribers.delete(topic);
      opts.bus?.leave(topic);
    }
    state?.topics.delete(topic);
    state?.refused.delete(topic);
  };

  /** Why `topic` cannot take one more subscriber from `network`, or null if it can. */
  const refusal = (topic: string, network: string): { reason: SubscribeRefusal; limit: number } | null => {
    const size = subscribers.get(topic)?.size ?? 0;
    if (size >= maxPeersPerTopic) return { reason: 'room-full', limit: maxPeersPerTopic };
    const use = networks.use(network);
    if (use.topics >= limits.maxTopicsPerAddress) return { reason: 'address-full', limit: limits.maxTopicsPerAddress };
    if (use.rooms >= maxRoomsPerAddress && networks.joinsARoom(network, topic, size)) return { reason: 'address-full', limit: maxRoomsPerAddress };
    if (size === 1 && rooms >= maxRooms) return { reason: 'server-full', limit: maxRooms };
    return null;
  };

  /** A publish to every open subscriber here but its sender (null: it came from another node). */
  const fanOut = (topic: string, data: SignalingData, sender: WebSocket | null) => {
    const set = subscribers.get(topic);
    if (!set) return;
    const out = JSON.stringify({ type: 'publish', topic, data, clients: set.size } satisfies SignalingServerFrame);
    for (const peer of set) {
      if (peer === sender || peer.readyState !== peer.OPEN) continue;
      peer.send(out);
      counters.framesOut++;
      counters.bytesOut += out.length;
    }
  };

  const onFrame = (ws: WebSocket, state: SocketState, raw: RawData, isBinary: boolean) => {
    // ws keeps emitting frames already buffered after close(): a rejected flood costs nothing more.
    if (ws.readyState !== ws.OPEN) return;
    counters.framesIn++;
    counters.bytesIn += rawLength(raw);
    if (!state.rate.take()) return reject(ws, 'too many messages');
    const frame = isBinary ? null : parse(raw.toString());
    const malformed = () => {
      if (++state.malformed > limits.maxMalformedFrames) reject(ws, 'too many malformed messages');
    };
    if (!frame) return malformed();
    switch (frame.type) {
      case 'subscribe': {
        if (!Array.isArray(frame.topics) || !frame.topics.every(isTopic)) return malformed();
        const fresh = (frame.topics as string[]).filter((t) => !state.topics.has(t));
        if (state.topics.size + state.refused.size + new Set(fresh).size > limits.maxTopicsPerSocket) return reject(ws, 'too many topics');
        for (const topic of fresh) {
          if (state.topics.has(topic)) continue;
          const refused = refusal(topic, state.network);
          if (refused) {
            counters.subscriptionsRefused++;
            state.refused.add(topic);
            log.info('subscription refused', { reason: refused.reason, limit: refused.limit, address: state.address });
            send(ws, { type: 'refused', topic, ...refused });
            continue;
          }
          state.refused.delete(topic);
          state.topics.add(topic);
          let set = subscribers.get(topic);
          if (!set) {
            subscribers.set(topic, (set = new Set()));
            opts.bus?.join(topic);
          }
          set.add(ws);
          if (set.size === 2) rooms++;
          networks.subscribed(state.network, topic, set.size);
        }
        return;
      }
      case 'unsubscribe':
        if (!Array.isArray(frame.topics) || !frame.topics.every(isTopic)) return malformed();
        for (const topic of frame.topics as string[]) unsubscribe(ws, topic);
        return;
      case 'publish': {
        if (!isTopic(frame.topic) || !isData(frame.data)) return malformed();
        // A full room must not hear the one it turned away (Confab announces right after subscribing).
        if (state.refused.has(frame.topic)) return;
        opts.bus?.publish(frame.topic, frame.data);
        fanOut(frame.topic, frame.data, ws);
        return;
      }
      case 'ping':
        return send(ws, { type: 'pong' });
      default:
        return malformed();
    }
  };

  wss.on('connection', (ws, req: IncomingMessage) => {
    const address = clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for']);
    const state: SocketState = {
      topics: new Set(),
      refused: new Set(),
      rate: new TokenBucket(limits.frameBurst, limits.framesPerSecond, wallClockMs),
      malformed: 0,
      alive: true,
      address,
      network: addressKey(address),
    };
    states.set(ws, state);
    const use = networks.socketOpened(state.network);
    ws.send(welcome);
    if (use.sockets > limits.maxSocketsPerAddress) reject(ws, 'too many connections from your network');
    log.debug('socket open', { address: state.address });
    ws.on('pong', () => (state.alive = true));
    ws.on('message', (raw, isBinary) => {
      try {
        onFrame(ws, state, raw, isBinary);
      } catch (err) {
        log.error('dropped a frame', { error: String(err) });
      }
    });
    // ws follows every error with its own close (1009 for oversize); terminating here could
    // drop that close frame before it is flushed.
    ws.on('error', (err: Error & { code?: string }) => {
      // WS_ERR_* are protocol violations ws closes for; anything else is the network (a reset).
      if (!err.code?.startsWith('WS_ERR_')) return log.debug('socket error', { error: err.message, address: state.address });
      const reason = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame too big' : err.message;
      log.warn('socket rejected', { reason, address: state.address });
    });
    ws.on('close', (code) => {
      for (const topic of [...state.topics]) unsubscribe(ws, topic);
      states.delete(ws);
      networks.socketClosed(state.network);
      log.debug('socket closed', { address: state.address, code });
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
    /** A publish from another node of the cluster, for the subscribers here. */
    deliver: (topic: string, data: SignalingData) => fanOut(topic, data, null),
    stats: () => ({ sockets: states.size, topics: subscribers.size, rooms, networks: networks.addressCount, ...counters }),
    /** Tells every socket 1001 "going away" (clients reconnect), then cuts any that linger. */
    async close(): Promise<void> {
      clearInterval(heartbeat);
      const sockets = [...states.keys()];
      const closed = sockets.map((ws) => new Promise((resolve) => ws.once('close', resolve)));
      for (const ws of sockets) ws.close(1001, 'server shutting down');
      const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(closed), grace]);
      for (const ws of states.keys()) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
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
