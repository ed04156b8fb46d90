import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IceServer } from '../crdt/wire';
import { silentLogger, type Logger } from './log';
import { renderMetrics } from './metrics';
import { createSignalingRelay } from './signaling';
import { staticFiles } from './static-files';

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
  /**
   * The address a relay node advertises in its ICE candidates when behind NAT. Nothing in
   * this process uses it yet: it is for the relay node (media relay), built separately.
   */
  publicIp?: string;
  log?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** One process: the built client, `/healthz`, and the signaling relay at `/signal`. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? silentLogger;
  const signaling = createSignalingRelay(undefined, {
    log,
    iceServers: opts.iceServers,
    maxPeersPerTopic: opts.maxPeersPerRoom,
    maxRooms: opts.maxRooms,
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
        res.end(renderMetrics(signaling));
        return;
      }
      serveStatic(req, res);
    } catch {
      // A throw here would be an uncaught exception: one odd request must not stop every room.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal error\n');
    }
  };
  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  server.on('upgrade', (req, socket, head) => {
    if (pathOf(req.url) === '/signal') signaling.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${hostForUrl}:${port}/`,
    port,
    async close() {
      await signaling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0];
