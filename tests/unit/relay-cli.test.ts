import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { repoRoot, startRelay } from '../support/relay-process';

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('relay CLI', () => {
  it('prints the URL to open, serves it, and exits 0 on SIGTERM', async () => {
    const relay = await startRelay();
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(new URL('/healthz', relay.url))).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => relay.process.once('exit', (code) => resolve(code)));
    relay.process.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--help explains the options', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--port');
    expect(stdout).toContain('--host');
  });

  it('an unknown flag or a bad port exits 2 with a clear message', async () => {
    const bogus = await runCli(['--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("Unknown option '--bogus'");
    const badPort = await runCli(['--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be a number');
  });

  it('a port in use exits 1 and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await runCli(['--host', '127.0.0.1', '--port', String(port)]);
    blocker.close();
    expect(code).toBe(1);
    expect(stderr).toContain(`Port ${port} is already in use — pass --port to pick another`);
  });
});
