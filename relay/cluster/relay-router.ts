import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { RELAY_LIMITS } from '../../crdt/protocol/relay-wire';
import type { Logger } from '../log';
import type { Placement } from './placement';

type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Marks a socket one node hands to another: the receiving node serves it, whatever Redis says. */
const ROUTED_HEADER = 'x-confab-routed';
const CONNECT_TIMEOUT_MS = 5_000;

export interface RelayRouter {
  handleUpgrade: Upgrade;
  /** Rooms with relay sockets on this node, for its report. */
  rooms(): string[];
}

/**
 * `/relay` on a node of a cluster. Pages name their room in the URL (`/relay?room=…`); the
 * socket goes to the node that holds the room (Placement): this node's relay node, or a
 * WebSocket pipe to the other node's `/relay`. Only the control messages take that extra hop:
 * media flows straight to the holding node's ICE candidates. A socket without a room, or with
 * Redis unreachable, is served here as on a single node.
 */
export function createRelayRouter(placement: Placement, local: Upgrade, log: Logger): RelayRouter {
  const wss = new WebSocketServer({ noServer: true, maxPayload: RELAY_LIMITS.maxMessageBytes });
  const roomSockets = new Map<string, number>();

  const serveHere = (room: string | null, req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (room) {
      roomSockets.set(room, (roomSockets.get(room) ?? 0) + 1);
      socket.once('close', () => {
        const left = (roomSockets.get(room) ?? 1) - 1;
        if (left > 0) roomSockets.set(room, left);
        else roomSockets.delete(room);
      });
    }
    local(req, socket, head);
  };

  const route = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const room = new URL(req.url ?? '/', 'http://node').searchParams.get('room');
    if (!room || req.headers[ROUTED_HEADER]) return serveHere(room, req, socket, head);
    // Two tries: a holder that cannot be reached is forgotten, and the room placed again.
    for (let attempt = 0; attempt < 2; attempt++) {
      let holder;
      try {
        holder = await placement.place(room);
      } catch (err) {
        log.warn('room placement failed; serving it here', { error: (err as Error).message });
        return serveHere(room, req, socket, head);
      }
      if (holder.id === placement.nodeId) return serveHere(room, req, socket, head);
      const upstream = await connect(`${holder.relayUrl}?room=${encodeURIComponent(room)}`);
      if (upstream) return pipe(req, socket, head, upstream);
      log.warn('relay node unreachable; placing its room again', { node: holder.id });
      await placement.forget(holder.id).catch(() => undefined);
    }
    socket.destroy();
  };

  const pipe = (req: IncomingMessage, socket: Duplex, head: Buffer, { ws: upstream, early }: Upstream) => {
    if (socket.destroyed) return upstream.terminate();
    wss.handleUpgrade(req, socket, head, (page) => {
      page.on('message', (data, isBinary) => upstream.readyState === upstream.OPEN && upstream.send(data, { binary: isBinary }));
      upstream.removeAllListeners('message');
      for (const [data, isBinary] of early) page.send(data, { binary: isBinary });
      upstream.on('message', (data, isBinary) => page.readyState === page.OPEN && page.send(data, { binary: isBinary }));
      const closeBoth = (code: number) => {
        const forwardable = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006;
        for (const ws of [page, upstream]) if (ws.readyState === ws.OPEN) ws.close(forwardable ? code : 1011);
      };
      page.on('close', closeBoth);
      upstream.on('close', closeBoth);
      page.on('error', () => page.terminate());
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      route(req, socket, head).catch(() => socket.destroy());
    },
    rooms: () => [...roomSockets.keys()],
  };
}

/** A socket to another node and what it sent before the page's side was ready (its welcome). */
interface Upstream {
  ws: WebSocket;
  early: [WebSocket.RawData, boolean][];
}

/** An open WebSocket to another node, or null if it cannot be reached. Nodes may use self-signed certificates. */
function connect(url: string): Promise<Upstream | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { [ROUTED_HEADER]: '1' }, rejectUnauthorized: false, maxPayload: RELAY_LIMITS.maxMessageBytes, handshakeTimeout: CONNECT_TIMEOUT_MS });
    const early: Upstream['early'] = [];
    ws.on('message', (data, isBinary) => early.push([data, isBinary]));
    ws.once('open', () => resolve({ ws, early }));
    ws.once('error', () => resolve(null));
    ws.on('error', () => ws.terminate());
  });
}
