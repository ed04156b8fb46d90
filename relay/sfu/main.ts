import type { RequestListener } from 'node:http';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import ndc from 'node-datachannel';
import { listenHttp, relayNodeOn } from '../http-mount';
import { cleanupNativeMedia } from './node';

/**
 * The relay node's media plane alone (the bench and load tests): `tsx relay/sfu/main.ts --port 0`.
 * Control WebSocket at /relay (crdt/protocol/relay-wire.ts), counters at GET /stats (JSON; `?reset=1`
 * also restarts the delay histogram). `confab` (relay/cli.ts) mounts the same at /relay.
 */
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'no-nack-cache': { type: 'boolean', default: false },
    /** Every connection on this one UDP port (ICE UDP mux); default: a port per connection. */
    'udp-port': { type: 'string' },
    /** The address to advertise in ICE candidates beside the bound one (1:1 NAT). */
    'public-ip': { type: 'string' },
    /** Exit when stdin closes: a test harness that dies cannot leave the relay running. */
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

if (process.env.CONFAB_NDC_LOG) ndc.initLogger(process.env.CONFAB_NDC_LOG as 'Warning', (level, message) => process.stderr.write(`[ndc ${level}] ${message}\n`));

const node = relayNodeOn(values.host, {
  nackCache: !values['no-nack-cache'],
  ...(values['udp-port'] ? { udpMuxPort: Number(values['udp-port']) } : {}),
  ...(values['public-ip'] ? { publicIp: values['public-ip'] } : {}),
});

const stats: RequestListener = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  if (url.pathname !== '/stats') return void res.writeHead(404).end();
  // ?gc=1 (with node --expose-gc): collect first, so a leak probe reads what is really retained.
  if (url.searchParams.get('gc') === '1') (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const body = {
    ...node.stats(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: process.memoryUsage.rss(),
    ...memoryBytes(),
    activeResources: countBy(process.getActiveResourcesInfo()),
  };
  if (url.searchParams.get('reset') === '1') node.resetDelays();
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};
/** Where the RSS is: V8's heap (used and committed, per space) and memory outside it (Buffers). */
function memoryBytes() {
  const m = process.memoryUsage();
  const committedBytes: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) committedBytes[s.space_name] = s.space_size;
  return { heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBufferBytes: m.arrayBuffers, heapSpaceBytes: committedBytes };
}
/** Timers, sockets and other handles by type: what a leak of them would show in. */
function countBy(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
}

const { server, port } = await listenHttp({
  host: values.host,
  port: Number(values.port),
  handler: stats,
  upgrades: { '/relay': (req, socket, head) => node.handleUpgrade(req, socket, head) },
});
process.stdout.write(`Relay node listening at http://${values.host}:${port}/ (control ws://${values.host}:${port}/relay)\n`);

const stop = () => {
  node.close();
  server.close();
  server.closeAllConnections();
  cleanupNativeMedia();
  process.exit(0);
};
process.once('SIGTERM', stop);
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop).on('close', stop).resume();
}
process.once('SIGINT', stop);
