import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import ndc from 'node-datachannel';
import { WebSocketServer } from 'ws';
import { RELAY_LIMITS } from '../../crdt/relay-wire';
import { ControlSession } from './control';
import { nativeErrors, openConnectionCount } from './peer';
import type { Room } from './room';
import { ForwardingStats } from './stats';

/**
 * The relay node's media plane as its own process (for now): `tsx relay/sfu/main.ts --port 0`.
 * Control WebSocket at /relay (crdt/relay-wire.ts), counters at GET /stats (JSON; `?reset=1`
 * also restarts the delay histogram).
 */
const TICK_MS = 200;

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'no-nack-cache': { type: 'boolean', default: false },
    /** Every connection on this one UDP port (ICE UDP mux); default: a port per connection. */
    'udp-port': { type: 'string' },
    /** Exit when stdin closes: a test harness that dies cannot leave the relay running. */
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

if (process.env.CONFAB_NDC_LOG) ndc.initLogger(process.env.CONFAB_NDC_LOG as 'Warning', (level, message) => process.stderr.write(`[ndc ${level}] ${message}\n`));

const stats = new ForwardingStats();
const rooms = new Map<string, Room>();
const sessions = new Set<ControlSession>();
const peerOptions = {
  bindAddress: values.host === '0.0.0.0' ? undefined : values.host,
  nackCache: !values['no-nack-cache'],
  ...(values['udp-port'] ? { udpMuxPort: Number(values['udp-port']) } : {}),
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  if (url.pathname !== '/stats') return void res.writeHead(404).end();
  const cpu = process.cpuUsage();
  const body = {
    ...stats.snapshot(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: process.memoryUsage.rss(),
    rooms: rooms.size,
    participants: [...rooms.values()].reduce((n, r) => n + r.participants.size, 0),
    sessions: sessions.size,
    peerConnections: openConnectionCount(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    activeResources: countBy(process.getActiveResourcesInfo()),
    callbackErrors: nativeErrors.count,
    lastCallbackError: nativeErrors.last,
  };
  if (url.searchParams.get('reset') === '1') stats.resetDelays();
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
});
/** Timers, sockets and other handles by type: what a leak of them would show in. */
function countBy(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
}

const wss = new WebSocketServer({ noServer: true, maxPayload: RELAY_LIMITS.maxMessageBytes });
server.on('upgrade', (req, socket, head) => {
  if ((req.url ?? '').split('?')[0] !== '/relay') return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    const session = new ControlSession(ws, rooms, stats, peerOptions);
    sessions.add(session);
    ws.on('close', () => sessions.delete(session));
  });
});

const tick = setInterval(() => {
  const now = performance.now();
  for (const room of rooms.values()) room.tick(now);
}, TICK_MS);

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`Relay node listening at http://${values.host}:${port}/ (control ws://${values.host}:${port}/relay)\n`);
});

const stop = () => {
  clearInterval(tick);
  for (const s of sessions) s.close();
  wss.close();
  server.close();
  server.closeAllConnections();
  ndc.cleanup();
  process.exit(0);
};
process.once('SIGTERM', stop);
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop).on('close', stop).resume();
}
process.once('SIGINT', stop);
