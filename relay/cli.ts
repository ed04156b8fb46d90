import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from './server';
import { lanAddresses, loadTls, selfSignedTls } from './tls';

const USAGE = `Usage: confab [--host HOST] [--port PORT] [--https] [--tls-cert FILE --tls-key FILE]

Runs Confab: the signaling relay and the web client, in one process.

  --host HOST        address to listen on (default 127.0.0.1; env CONFAB_HOST). Use 0.0.0.0
                     to serve every device on your LAN.
  --port PORT        port to listen on, 0 for any free one (default 8080; env CONFAB_PORT)
  --https            serve HTTPS even on localhost (it is automatic on any other address:
                     browsers allow the camera only on https or localhost)
  --tls-cert FILE    PEM certificate to serve HTTPS with (env CONFAB_TLS_CERT) ...
  --tls-key FILE     ... and its PEM private key (env CONFAB_TLS_KEY). Without them Confab
                     makes a self-signed certificate and keeps it in the data directory.
  --data-dir DIR     where that certificate is kept (default ~/.confab; env CONFAB_DATA_DIR)
  --static DIR       the built client to serve (default: dist/ of this checkout)
  --help             show this help`;

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

async function tlsFor(host: string, opts: { https: boolean; cert?: string; key?: string; dataDir: string }) {
  if (opts.cert || opts.key) {
    if (!opts.cert || !opts.key) fail('--tls-cert and --tls-key go together', 2);
    try {
      return loadTls(opts.cert, opts.key);
    } catch (err) {
      fail(`could not read the TLS certificate or key: ${(err as Error).message}`, 1);
    }
  }
  if (!opts.https && isLoopback(host)) return null;
  return selfSignedTls(opts.dataDir, isWildcard(host) ? lanAddresses() : [host]);
}

function fail(message: string, code: number): never {
  process.stderr.write(`confab: ${message}\n`);
  if (code === 2) process.stderr.write('Run with --help to see the options.\n');
  process.exit(code);
}

const SHUTDOWN_GRACE_MS = 2_000;

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) fail(`${source} must be a number from 0 to 65535, not "${text}"`, 2);
  return port;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        static: { type: 'string' },
        https: { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // Node appends advice about positionals ("…after '--'") that only confuses here.
    fail((err as Error).message.split('. ')[0]!, 2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // An empty env var counts as unset: `CONFAB_HOST= confab` must not mean "every interface".
  const host = values.host ?? (process.env.CONFAB_HOST || '127.0.0.1');
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : parsePort(process.env.CONFAB_PORT || '8080', 'CONFAB_PORT');
  const staticDir = values.static ?? fileURLToPath(new URL('../dist', import.meta.url));

  const tls = await tlsFor(host, {
    https: values.https ?? false,
    cert: values['tls-cert'] ?? (process.env.CONFAB_TLS_CERT || undefined),
    key: values['tls-key'] ?? (process.env.CONFAB_TLS_KEY || undefined),
    dataDir: values['data-dir'] ?? (process.env.CONFAB_DATA_DIR || join(homedir(), '.confab')),
  });

  let server;
  try {
    server = await startServer({ host, port, staticDir, ...(tls ? { tls } : {}) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`Port ${port} is already in use — pass --port to pick another`, 1);
    if (code === 'EADDRNOTAVAIL') fail(`This machine has no address ${host} — pass --host to pick another`, 1);
    fail(`could not start: ${(err as Error).message}`, 1);
  }
  const scheme = tls ? 'https' : 'http';
  const urls = isWildcard(host) ? lanAddresses().map((ip) => `${scheme}://${ip}:${server.port}/`) : [server.url];
  process.stdout.write(`Confab is running at ${urls[0] ?? server.url}\n`);
  for (const url of urls.slice(1)) process.stdout.write(`  also at ${url}\n`);
  process.stdout.write('Open that address in a browser, click "Create room" and share the link.\n');
  if (tls?.selfSigned) {
    process.stdout.write(
      `The certificate is self-signed: browsers warn once. Its SHA-256 fingerprint is\n  ${tls.fingerprint}\n`,
    );
  }

  const stop = async () => {
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

await main();
