import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JoinedRoom } from '../sfu/control';
import { createRelayNode } from '../sfu/node';

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
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  // libdatachannel binds media sockets to an address, not a name.
  const relayNode = createRelayNode({
    ...(wildcard ? {} : { bindAddress: opts.host === 'localhost' ? '127.0.0.1' : opts.host }),
    ...(opts.publicIp ? { publicIp: opts.publicIp } : {}),
    ...(opts.udpPort ? { udpMuxPort: opts.udpPort } : {}),
    ...(opts.joinedRoom ? { joinedRoom: opts.joinedRoom } : {}),
  });
  const handler: RequestListener = (req, res) => {
    const path = (req.url ?? '').split('?')[0];
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
  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] === '/relay') relayNode.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    relayNode.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${hostForUrl}:${port}/`,
    port,
    async close() {
      relayNode.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
