import type { RequestListener } from 'node:http';
import { listenHttp, pathOf, relayNodeOn } from '../http-mount';
import type { JoinedRoom } from '../sfu/control';

export interface RelayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `confab relay`'s one HTTP(S) server: the relay node's media plane at `/relay`, `/healthz` and `/stats` (counters, JSON),
 * nothing else (no web client, no signaling: the room's own server does those).
 */
export async function startRelayServer(opts: {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  publicIp?: string;
  udpPort?: number;
  /** The one room this relay serves, and how a hello shows its link. */
  joinedRoom?: JoinedRoom;
}): Promise<RelayServer> {
  const relayNode = relayNodeOn(opts.host, {
    ...(opts.publicIp ? { publicIp: opts.publicIp } : {}),
    ...(opts.udpPort ? { udpMuxPort: opts.udpPort } : {}),
    ...(opts.joinedRoom ? { joinedRoom: opts.joinedRoom } : {}),
  });
  const handler: RequestListener = (req, res) => {
    const path = pathOf(req.url);
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    // Counts only (sessions, packets): whoever joined a relay to a room can see what it carries.
    if (path === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(relayNode.stats()));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('A Confab relay node: nothing to see here.\n');
  };
  const listening = listenHttp({
    host: opts.host,
    port: opts.port,
    ...(opts.tls ? { tls: opts.tls } : {}),
    handler,
    upgrades: { '/relay': (req, socket, head) => relayNode.handleUpgrade(req, socket, head) },
  });
  const { server, port, url } = await listening.catch((err: unknown) => {
    relayNode.close();
    throw err;
  });
  return {
    url,
    port,
    async close() {
      relayNode.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
