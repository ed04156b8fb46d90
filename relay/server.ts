import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IceServer } from '../crdt/protocol/wire';
import { createPlacement, type Placement } from './cluster/placement';
import { createRedisBus } from './cluster/redis-bus';
import { createRelayRouter } from './cluster/relay-router';
import { DEFAULT_MESH_MAX } from './config';
import { listenHttp, pathOf, relayNodeOn } from './http-mount';
import { silentLogger, type Logger } from './log';
import { renderMetrics } from './metrics';
import { createSignalingRelay } from './signaling';
import { staticFiles } from './static-files';
import { lanAddresses } from './tls';

export interface ServerOptions {
  host: string;
  port: number;
  staticDir: string;
  /** PEM certificate and key: serve HTTPS (and WSS) instead of HTTP. */
  tls?: { cert: string; key: string };
  /** STUN/TURN servers every client is told about (default none). */
  iceServers?: IceServer[];
  /** Subscribers per signaling topic; a room is one topic. */
  maxPeersPerRoom?: number;
  /** Signaling topics with two or more subscribers. */
  maxRooms?: number;
  /** Rooms one network may take part in (default SIGNALING_LIMITS.maxRoomsPerAddress). */
  maxRoomsPerAddress?: number;
  /** The relay node's public address behind a 1:1 NAT, offered beside its own in ICE candidates. */
  publicIp?: string;
  /** The relay node's one UDP port for all media (ICE UDP mux); default a port per connection. */
  udpPort?: number;
  /** Rooms of up to this many people stay a full mesh; bigger ones use the relay node at /relay (default 6). */
  meshMax?: number;
  /** Redis of a cluster of nodes: signaling reaches every node, a room's relay lives on one (relay/cluster/). */
  redisUrl?: string;
  /**
   * Several processes share `port` (relay/workers.ts): the others cannot aim at this one
   * through it, so it also listens on a free port of its own, only for the other nodes' `/relay`.
   */
  privatePort?: boolean;
  log?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * One process: the built client, `/healthz`, `/metrics`, the signaling relay at `/signal` and
 * the relay node's media plane at `/relay`.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? silentLogger;
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  const relayNode = relayNodeOn(opts.host, {
    ...(opts.publicIp ? { publicIp: opts.publicIp } : {}),
    ...(opts.udpPort ? { udpMuxPort: opts.udpPort } : {}),
  });
  const nodeId = randomBytes(6).toString('hex');
  const bus = opts.redisUrl ? createRedisBus(opts.redisUrl, nodeId, (topic, data) => signaling.deliver(topic, data), log) : undefined;
  const signaling = createSignalingRelay(undefined, {
    ...(bus ? { bus } : {}),
    log,
    iceServers: opts.iceServers,
    relay: { meshMax: opts.meshMax ?? DEFAULT_MESH_MAX },
    maxPeersPerTopic: opts.maxPeersPerRoom,
    maxRooms: opts.maxRooms,
    ...(opts.maxRoomsPerAddress ? { maxRoomsPerAddress: opts.maxRoomsPerAddress } : {}),
  });
  const serveStatic = staticFiles(opts.staticDir);
  const handler: RequestListener = (req, res) => {
    try {
      if (pathOf(req.url) === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok\n');
        return;
      }
      if (pathOf(req.url) === '/metrics') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(renderMetrics(signaling, relayNode.stats()));
        return;
      }
      serveStatic(req, res);
    } catch {
      // A throw here would be an uncaught exception: one odd request must not stop every room.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal error\n');
    }
  };
  let router: ReturnType<typeof createRelayRouter> | undefined;
  let placement: Placement | undefined;
  const { server, port, url } = await listenHttp({
    host: opts.host,
    port: opts.port,
    ...(opts.tls ? { tls: opts.tls } : {}),
    handler,
    upgrades: {
      '/signal': (req, socket, head) => signaling.handleUpgrade(req, socket, head),
      '/relay': (req, socket, head) => (router ?? relayNode).handleUpgrade(req, socket, head),
    },
  });
  // Only other nodes come here, with sockets they route (relay-router.ts): no signaling, no pipes.
  const direct = opts.privatePort
    ? (
        await listenHttp({
          host: opts.host,
          port: 0,
          exclusive: true,
          ...(opts.tls ? { tls: opts.tls } : {}),
          handler,
          upgrades: { '/relay': (req, socket, head) => relayNode.handleUpgrade(req, socket, head) },
        })
      ).server
    : undefined;
  const relayPort = direct ? (direct.address() as AddressInfo).port : port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  if (opts.redisUrl) {
    // Where the other nodes reach this one's relay node: its own address, the first LAN one on a wildcard.
    const reachableHost = wildcard ? (lanAddresses()[0] ?? '127.0.0.1') : hostForUrl;
    try {
      placement = await createPlacement({
        url: opts.redisUrl,
        nodeId,
        relayUrl: `${opts.tls ? 'wss' : 'ws'}://${reachableHost}:${relayPort}/relay`,
        report: () => ({ load: relayNode.stats().participants + signaling.stats().sockets, rooms: router?.rooms() ?? [] }),
        log,
      });
    } catch (err) {
      relayNode.close();
      await signaling.close();
      await bus?.close();
      server.close();
      direct?.close();
      throw new Error(`could not reach Redis at ${opts.redisUrl}: ${(err as Error).message}`);
    }
    router = createRelayRouter(placement, (req, socket, head) => relayNode.handleUpgrade(req, socket, head), log);
    log.info('cluster node', { node: nodeId });
  }
  return {
    url,
    port,
    async close() {
      relayNode.close();
      await signaling.close();
      await placement?.close();
      await bus?.close();
      for (const s of [server, direct]) s?.closeAllConnections();
      await Promise.all([server, direct].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
