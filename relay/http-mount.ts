import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRelayNode, type RelayNode, type RelayNodeOptions } from './sfu/node';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The path of a request, without its query. */
export const pathOf = (url: string | undefined): string => (url ?? '').split('?')[0]!;

/**
 * A relay node for a server listening on `host`: libdatachannel binds media sockets to an
 * address, not a name, so a wildcard binds none and `localhost` binds 127.0.0.1.
 */
export function relayNodeOn(host: string, opts: Omit<RelayNodeOptions, 'bindAddress'> = {}): RelayNode {
  const wildcard = host === '0.0.0.0' || host === '::';
  return createRelayNode({ ...(wildcard ? {} : { bindAddress: host === 'localhost' ? '127.0.0.1' : host }), ...opts });
}

export interface Listening {
  server: Server;
  port: number;
  /** http(s)://host:port/ */
  url: string;
}

/**
 * One HTTP(S) server of `confab`, `confab relay` or the bare relay node: `handler` answers
 * requests, `upgrades` takes WebSocket upgrades by path (any other is cut), and it listens on
 * `host`:`port` before this resolves (it rejects if it cannot).
 */
export async function listenHttp(opts: {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  handler: RequestListener;
  upgrades: Record<string, UpgradeHandler>;
  /** In a worker of node:cluster: a port of this process alone, not one shared through the primary. */
  exclusive?: boolean;
}): Promise<Listening> {
  const server: Server = opts.tls ? createHttpsServer(opts.tls, opts.handler) : createServer(opts.handler);
  server.on('upgrade', (req, socket, head) => {
    const upgrade = Object.hasOwn(opts.upgrades, pathOf(req.url)) ? opts.upgrades[pathOf(req.url)] : undefined;
    if (upgrade) upgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, exclusive: opts.exclusive ?? false }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, port, url: `${opts.tls ? 'https' : 'http'}://${hostForUrl}:${port}/` };
}
