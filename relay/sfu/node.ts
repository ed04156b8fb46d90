import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import ndc from 'node-datachannel';
import { WebSocketServer } from 'ws';
import { RELAY_LIMITS } from '../../crdt/protocol/relay-wire';
import { BEAT_EVERY_MS } from '../../crdt/protocol/room-message-frame';
import { ControlSession } from './control';
import { nativeErrors, openConnectionCount, type PeerOptions } from './peer';
import { RelayRooms } from './rooms';
import { ForwardingStats } from './stats';
import { freezeYoungGeneration } from './young-generation';

const TICK_MS = 200;

export interface RelayNodeOptions extends PeerOptions {
  /** Keep recent up packets to answer NACKs (default on). */
  nackCache?: boolean;
}

/** What the relay node's media plane reports (GET /stats of relay/sfu/main.ts, /metrics of the CLI). */
export type RelayNodeStats = ReturnType<ForwardingStats['snapshot']> & {
  rooms: number;
  participants: number;
  /** Control sockets open, and native peer connections not yet closed (leaks show here). */
  sessions: number;
  peerConnections: number;
  callbackErrors: number;
  lastCallbackError: string;
  /** Sessions turned away (bad proof, or the room's records keep the key out), at hello, connect or later. */
  sessionsRefused: number;
};

export interface RelayNode {
  /** Takes a WebSocket upgrade for the control path (`/relay`). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): RelayNodeStats;
  /** Restarts the forwarding-delay histogram. */
  resetDelays(): void;
  close(): void;
}

/**
 * The relay node's media plane, mountable in any HTTP server: control sockets, rooms, and the
 * tick that ranks speakers and repeats keyframe requests. The CLI mounts it at /relay beside
 * /signal; relay/sfu/main.ts runs it alone for the bench.
 */
export function createRelayNode(opts: RelayNodeOptions = {}): RelayNode {
  freezeYoungGeneration(); // whatever process forwards media: its RSS stays flat under churn
  const stats = new ForwardingStats();
  const relayRooms = new RelayRooms(stats, { nackCache: opts.nackCache ?? true });
  const rooms = relayRooms.media;
  const sessions = new Set<ControlSession>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: RELAY_LIMITS.maxMessageBytes });
  const tick = setInterval(() => {
    const now = performance.now();
    for (const room of rooms.values()) room.tick(now);
  }, TICK_MS);
  tick.unref();
  const beat = setInterval(() => {
    for (const room of rooms.values()) room.messages.beat();
  }, BEAT_EVERY_MS);
  beat.unref();
  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new ControlSession(ws, relayRooms, stats, opts);
        sessions.add(session);
        ws.on('close', () => sessions.delete(session));
      });
    },
    stats: () => ({
      ...stats.snapshot(),
      rooms: rooms.size,
      participants: [...rooms.values()].reduce((n, r) => n + r.participants.size, 0),
      sessions: sessions.size,
      peerConnections: openConnectionCount(),
      callbackErrors: nativeErrors.count,
      lastCallbackError: nativeErrors.last,
      sessionsRefused: relayRooms.sessionsRefused,
    }),
    resetDelays: () => stats.resetDelays(),
    close() {
      clearInterval(tick);
      clearInterval(beat);
      for (const s of sessions) s.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** libdatachannel's threads; once per process, after every relay node is closed. */
export function cleanupNativeMedia(): void {
  ndc.cleanup();
}
