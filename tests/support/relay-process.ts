import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { relayIdFor } from '../../crdt/protocol/relay-presence';
import { loadOrCreateRelayKey } from '../../relay/join/relay-key';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The client's test build (dist-test/, made by `npm run build` beside dist/): only it has window.confabDebug. */
export const testClientDir = fileURLToPath(new URL('../../dist-test', import.meta.url));
/** Relays started here serve the test build, unless CONFAB_STATIC says otherwise. */
const relayEnv = () => ({ ...process.env, CONFAB_STATIC: process.env.CONFAB_STATIC ?? testClientDir });

export interface RelayProcess {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real relay CLI on 127.0.0.1 and a free port, as `npm start` would. */
export async function startRelay(opts: { port?: number; args?: string[]; command?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RelayProcess> {
  // Default: this checkout's TypeScript through tsx; `command` runs another build (an installed package's bin).
  const [program, ...programArgs] = opts.command ?? [process.execPath, '--import', 'tsx', 'relay/cli.ts'];
  const args = [...programArgs, '--host', '127.0.0.1', '--port', String(opts.port ?? 0), ...(opts.args ?? [])];
  const child = spawn(program!, args, {
    cwd: opts.cwd ?? repoRoot,
    env: relayEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.env ? { env: opts.env } : {}),
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (https?\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // a killed child has no exit code
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        child.kill('SIGCONT'); // a test may have frozen it
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface JoinedRelayProcess {
  /** The control URL it announces to the room (ws://127.0.0.1:PORT/relay). */
  url: string;
  /** Its relay id (a hash of its URL and the key in its data directory), as approvals name it. */
  id(): Promise<string>;
  output(): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `confab relay --join <link>` on 127.0.0.1 and a free port; resolves once it has joined the room. */
export async function startJoinedRelay(link: string, args: string[] = []): Promise<JoinedRelayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-joined-relay-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', 'relay', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: repoRoot,
    // The link is the room's key: in the environment, not on the command line. Its signing key
    // goes to a data directory of its own (not the tester's ~/.confab).
    env: { ...process.env, CONFAB_JOIN: link, CONFAB_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`joined relay did not join:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /announced to the room as (\S+)\n[^]*Joined the room/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`joined relay exited with ${code}:\n${output}`)));
  });
  return {
    url,
    id: async () => relayIdFor(url, (await loadOrCreateRelayKey(dataDir)).identity.publicKey),
    output: () => output,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        child.kill('SIGCONT'); // a test may have frozen it
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
