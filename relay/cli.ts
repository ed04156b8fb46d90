import cluster from 'node:cluster';
import { startupBanner } from './banner';
import { ConfigError, parseConfig, USAGE } from './config';
import { createLogger } from './log';
import { startServer } from './server';
import { fail, isLoopback, isWildcard, tlsFor } from './cli-support';
import { lanAddresses } from './tls';
import { versionLine } from './version';
import { reportListening, startWorkers, workerConfig, workerIndex } from './workers';

const SHUTDOWN_GRACE_MS = 2_000;

async function main(): Promise<void> {
  if (process.argv[2] === '--version') {
    process.stdout.write(`${versionLine()}\n`);
    return;
  }
  if (process.argv[2] === 'relay') {
    const { runRelayJoin } = await import('./join/run');
    return runRelayJoin(process.argv.slice(3));
  }
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  if (!config) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const worker = workerIndex();
  if (worker !== null) config = workerConfig(config, worker);
  const { host, port } = config;
  const log = createLogger(config.logLevel, worker === null ? undefined : (line) => process.stderr.write(line.replace(/^\{/, `{"worker":${worker},`)));
  // In a primary, before any worker starts: a self-signed certificate made once, kept, and read by all of them.
  const tls = await tlsFor(config);

  let server: { url: string; port: number; close(): Promise<void> };
  try {
    if (config.workers > 1 && cluster.isPrimary) {
      const pool = startWorkers(config.workers, log);
      // Stopped while the workers start: they go too, rather than being orphaned mid-start.
      const early = () => void pool.stop().then(() => process.exit(0));
      process.once('SIGINT', early).once('SIGTERM', early);
      const { url, port } = await pool.ready;
      process.off('SIGINT', early).off('SIGTERM', early);
      server = { url, port, close: () => pool.stop() };
      log.info('workers', { count: config.workers, pids: pool.pids().join(' ') });
    } else server = await startServer({
      host,
      port,
      staticDir: config.staticDir,
      ...(tls ? { tls } : {}),
      iceServers: config.iceServers,
      maxPeersPerRoom: config.maxPeersPerRoom,
      maxRooms: config.maxRooms,
      maxRoomsPerAddress: config.maxRoomsPerAddress,
      meshMax: config.meshMax,
      ...(config.publicIp ? { publicIp: config.publicIp } : {}),
      ...(config.udpPort ? { udpPort: config.udpPort } : {}),
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      privatePort: worker !== null,
      log,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`Port ${port} is already in use — pass --port to pick another`, 1);
    if (code === 'EADDRNOTAVAIL') fail(`This machine has no address ${host} — pass --host to pick another`, 1);
    fail(`could not start: ${(err as Error).message}`, 1);
  }
  // Before the banner: whoever reads it may signal at once, and Node's default for SIGTERM
  // is to die on the spot (exit code null, sockets not told).
  const stop = async (signal: NodeJS.Signals) => {
    log.info('shutting down', { signal });
    setTimeout(() => process.exit(0), config.workers > 1 && cluster.isPrimary ? 2 * SHUTDOWN_GRACE_MS : SHUTDOWN_GRACE_MS).unref();
    await server.close();
    log.info('stopped');
    process.exit(0);
  };
  if (worker === null) {
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  } else {
    // A worker hears the signal twice: from the terminal or systemd (the whole process group or
    // cgroup) and from the primary. The second must not kill it mid-shutdown (Node's default).
    let stopping = false;
    const once = (signal: NodeJS.Signals) => () => void (stopping || ((stopping = true), stop(signal)));
    process.on('SIGINT', once('SIGINT'));
    process.on('SIGTERM', once('SIGTERM'));
  }
  if (worker !== null) {
    // The primary prints the banner once for all workers.
    reportListening(server.url, server.port);
    return;
  }

  const scheme = tls ? 'https' : 'http';
  const lanUrls = isWildcard(host) ? lanAddresses().map((ip) => `${scheme}://${ip}:${server.port}/`) : [];
  const urls = lanUrls.length > 0 ? lanUrls : [server.url];
  process.stdout.write(
    startupBanner({ urls, qr: !isLoopback(host), ...(tls?.selfSigned ? { fingerprint: tls.fingerprint } : {}) }),
  );
  if (config.tlsOff && !isLoopback(host)) {
    log.warn('plain HTTP on a network address (--tls off): browsers open the camera only over https, so put a TLS-terminating proxy in front', { host });
  }
  log.info('listening', {
    url: server.url,
    iceServers: config.iceServers.length,
    maxPeersPerRoom: config.maxPeersPerRoom,
    maxRooms: config.maxRooms,
    maxRoomsPerAddress: config.maxRoomsPerAddress,
    meshMax: config.meshMax,
    publicIp: config.publicIp,
    udpPort: config.udpPort,
    ...(config.workers > 1 ? { workers: config.workers } : {}),
  });
}

await main();
