import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RelayProcess {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real relay CLI on 127.0.0.1 and a free port, as `npm start` would. */
export async function startRelay(opts: { port?: number; args?: string[] } = {}): Promise<RelayProcess> {
  const args = ['--import', 'tsx', 'relay/cli.ts', '--host', '127.0.0.1', '--port', String(opts.port ?? 0), ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
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
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
