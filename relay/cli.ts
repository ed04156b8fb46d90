import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from './server';

const USAGE = `Usage: confab [--host HOST] [--port PORT] [--static DIR]

Runs Confab: the signaling relay and the web client, in one process.

  --host HOST    address to listen on (default 127.0.0.1; env CONFAB_HOST)
  --port PORT    port to listen on, 0 for any free one (default 8080; env CONFAB_PORT)
  --static DIR   the built client to serve (default: dist/ of this checkout)
  --help         show this help`;

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

  let server;
  try {
    server = await startServer({ host, port, staticDir });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`Port ${port} is already in use — pass --port to pick another`, 1);
    if (code === 'EADDRNOTAVAIL') fail(`This machine has no address ${host} — pass --host to pick another`, 1);
    fail(`could not start: ${(err as Error).message}`, 1);
  }
  process.stdout.write(`Confab is running at ${server.url}\n`);
  process.stdout.write('Open that address in a browser, click "Create room" and share the link.\n');

  const stop = async () => {
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

await main();
