import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { renderUnicodeCompact } from 'uqr';
import { lanAddresses } from '../../../relay/tls';
import { repoRoot } from '../../support/relay-process';
import { RELAY_PROTOCOL_VERSION } from '../../../crdt/protocol/relay-wire';
import { PROTOCOL_VERSION } from '../../../crdt/protocol/wire';

// A safety net only: on two cores shared with other test runs, a tsx start alone can take 3 s.
const KILL_AFTER_MS = 30_000;

function withoutConfabVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('CONFAB_')));
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], {
    cwd: repoRoot,
    env: { ...withoutConfabVariables(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, out, exited };
}

/** Runs the CLI to completion. */
async function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { out, exited } = spawnCli(args, env);
  const code = await exited;
  return { code, ...out };
}

async function waitForOutput(out: { stdout: string }, pattern: RegExp, exited: Promise<unknown>): Promise<RegExpExecArray> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const match = pattern.exec(out.stdout);
    if (match) return match;
    if (gone) throw new Error(`CLI exited before printing ${pattern}:\n${out.stdout}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts the CLI on a free port; `stop` sends `signal` and resolves with the exit code. */
function startCli(signal: NodeJS.Signals, args: string[] = []) {
  const run = spawnCli(['--port', '0', ...args]);
  const stop = () => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
    return run.exited;
  };
  return { ...run, stop };
}

describe('relay CLI', { timeout: 45_000 }, () => {
  it('prints exactly the URL to open and what to do, serves it, and exits 0 on SIGTERM', async () => {
    const cli = startCli('SIGTERM');
    try {
      const [, url] = await waitForOutput(cli.out, /Confab is running at (\S+)\n.*\n/, cli.exited);
      expect(cli.out.stdout).toBe(
        `Confab is running at ${url}\nOpen that address in a browser, click "Create room" and share the link.\n`,
      );
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const health = await fetch(new URL('/healthz', url));
      expect(await health.text()).toBe('ok\n');
      expect((await fetch(url!)).status).toBe(200);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it('exits 0 on SIGINT too, even with a WebSocket open', async () => {
    const cli = startCli('SIGINT');
    try {
      const [, url] = await waitForOutput(cli.out, /running at (\S+)/, cli.exited);
      const ws = new WebSocket(url!.replace('http', 'ws') + 'signal');
      ws.on('error', () => {});
      await new Promise((resolve) => ws.once('open', resolve));
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it('--help explains the options and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage:');
    const flags = ['--host', '--port', '--static', '--ice-servers', '--public-ip', '--max-peers-per-room', '--max-rooms', '--log-level'];
    const variables = ['CONFAB_PORT', 'CONFAB_ICE_SERVERS', 'CONFAB_PUBLIC_IP', 'CONFAB_MAX_PEERS_PER_ROOM', 'CONFAB_MAX_ROOMS', 'CONFAB_LOG_LEVEL'];
    for (const name of [...flags, ...variables]) expect(stdout).toContain(name);
    expect(stdout).toMatch(/--public-ip[^]*relay node/);
  });

  it('an unknown flag or a bad port exits 2 with a one-line message and a hint', async () => {
    const badPorts = ['eighty', '70000', '-1'];
    const [bogus, badEnv, ...bad] = await Promise.all([
      runCli(['--bogus']),
      runCli([], { CONFAB_PORT: 'x' }),
      ...badPorts.map((port) => runCli([`--port=${port}`])),
    ]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("confab: Unknown option '--bogus'\nRun with --help to see the options.\n");
    badPorts.forEach((port, i) => {
      expect(bad[i]!.code).toBe(2);
      expect(bad[i]!.stderr).toContain(`--port must be a number from 0 to 65535, not "${port}"`);
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('CONFAB_PORT must be a number');
  });

  it('a port in use exits 1 and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as { port: number };
      const { code, stderr } = await runCli(['--host', '127.0.0.1', '--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`confab: Port ${port} is already in use — pass --port to pick another\n`);
    } finally {
      blocker.close();
    }
  });

  it('--https makes a certificate valid for 127.0.0.1, prints its fingerprint, and reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'confab-data-'));
    const fingerprints: string[] = [];
    for (let run = 0; run < 2; run++) {
      const cli = startCli('SIGTERM', ['--https', '--data-dir', dataDir]);
      try {
        const [, url, fingerprint] = await waitForOutput(cli.out, /running at (\S+)\n(?:.*\n)+?\s+((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n/, cli.exited);
        expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        fingerprints.push(fingerprint!);
        // Trusting exactly this certificate (not skipping checks) proves it names 127.0.0.1.
        const ca = readFileSync(join(dataDir, 'confab-cert.pem'));
        const body = await new Promise<string>((resolve, reject) =>
          get(new URL('/healthz', url), { ca }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          }).on('error', reject),
        );
        expect(body).toBe('ok\n');
      } finally {
        expect(await cli.stop()).toBe(0);
      }
    }
    expect(fingerprints[1]).toBe(fingerprints[0]);
  });

  // The compiled server (npm run build makes dist-server/), run by plain node: no tsx loader.
  it('the `confab` bin entry runs the compiled CLI: --help, and --version with the wire protocol', async () => {
    const runBin = (arg: string) =>
      new Promise<{ stdout: string; code: number | null }>((resolve) => {
        const child = spawn(process.execPath, ['bin/confab.js', arg], { cwd: repoRoot });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.once('exit', (exitCode) => resolve({ stdout: text, code: exitCode }));
      });
    const [help, version] = await Promise.all([runBin('--help'), runBin('--version')]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: confab /);
    const { version: packageVersion } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`confab ${packageVersion} (wire protocol ${PROTOCOL_VERSION}, relay protocol ${RELAY_PROTOCOL_VERSION})\n`);
  });

  it('--tls-cert without --tls-key exits 2; an unreadable certificate exits 1', async () => {
    const half = await runCli(['--port', '0', '--tls-cert', '/nonexistent.pem']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
    const missing = await runCli(['--port', '0', '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('could not read the TLS certificate or key');
  });

  it('a bad --ice-servers or --max-* value exits 2 naming the flag, never echoing a password', async () => {
    const [ice, peers] = await Promise.all([
      runCli(['--port', '0'], { CONFAB_ICE_SERVERS: 'turn:alice:hunter2@bad host' }),
      runCli(['--port', '0', '--max-peers-per-room', '1']),
    ]);
    expect(ice.code).toBe(2);
    expect(ice.stderr).toMatch(/^confab: CONFAB_ICE_SERVERS: "turn:alice:\*\*\*@bad host" is not a STUN\/TURN URL/);
    expect(ice.stderr).not.toContain('hunter2');
    expect(peers.code).toBe(2);
    expect(peers.stderr).toBe('confab: --max-peers-per-room must be a number from 2 to 1000000, not "1"\nRun with --help to see the options.\n');
  });

  it('--ice-servers reach clients in the welcome frame; SIGTERM closes sockets with 1001; logs are JSON lines', async () => {
    const ice = 'stun:127.0.0.1:3478,turn:al%40ice:pa%3Ass@turn.example:3478?transport=tcp';
    const cli = startCli('SIGTERM', ['--ice-servers', ice, '--public-ip', '203.0.113.7', '--mesh-max', '3', '--log-level', 'debug']);
    let exitCode: number | null = null;
    try {
      const [, url] = await waitForOutput(cli.out, /running at (\S+)/, cli.exited);
      const ws = new WebSocket(url!.replace('http', 'ws') + 'signal');
      ws.on('error', () => {});
      const welcome = await new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
      expect(welcome).toEqual({
        type: 'welcome',
        v: 1,
        iceServers: [
          { urls: 'stun:127.0.0.1:3478' },
          { urls: 'turn:turn.example:3478?transport=tcp', username: 'al@ice', credential: 'pa:ss' },
        ],
        relay: { meshMax: 3 },
      });
      // The relay node's control socket answers beside /signal.
      const control = new WebSocket(url!.replace('http', 'ws') + 'relay');
      control.on('error', () => {});
      const relayWelcome = await new Promise<unknown>((resolve) => control.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
      expect(relayWelcome).toEqual({ type: 'welcome', v: 2, nonce: expect.stringMatching(/^[\w-]{22}$/), maxVideoSlots: 25, maxAudioSlots: 5, screen: true });
      control.close();
      const closeCode = new Promise<number>((resolve) => ws.once('close', resolve));
      exitCode = await cli.stop();
      expect(await closeCode).toBe(1001);
    } finally {
      exitCode ??= await cli.stop();
    }
    expect(exitCode).toBe(0);
    const lines = cli.out.stderr.trimEnd().split('\n');
    const logs = lines.map((line) => JSON.parse(line) as { t: string; level: string; msg: string });
    expect(logs.map((l) => l.msg)).toEqual(['listening', 'socket open', 'shutting down', 'socket closed', 'stopped']);
    expect(logs[0]).toMatchObject({ level: 'info', iceServers: 2, maxPeersPerRoom: 50, maxRooms: 1000, meshMax: 3, publicIp: '203.0.113.7' });
    expect(logs[3]).toMatchObject({ level: 'debug', code: 1001 });
    for (const log of logs) expect(new Date(log.t).getTime()).toBeGreaterThan(0);
    expect(cli.out.stderr).not.toContain('pa:ss');
    // Logs go to stderr; stdout stays the human banner.
    expect(cli.out.stdout).not.toContain('{');
  });

  it('--log-level warn keeps routine events out of the log', async () => {
    const cli = startCli('SIGTERM', ['--log-level', 'warn']);
    try {
      await waitForOutput(cli.out, /running at (\S+)/, cli.exited);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
    expect(cli.out.stderr).toBe('');
  });

  it.skipIf(lanAddresses().length === 0)('on a LAN address it prints a QR code of the URL', async () => {
    const ip = lanAddresses()[0]!;
    const cli = startCli('SIGTERM', ['--host', ip, '--data-dir', mkdtempSync(join(tmpdir(), 'confab-data-'))]);
    try {
      const [, url] = await waitForOutput(cli.out, /running at (\S+)\n(?:.*\n)+?\s+((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n/, cli.exited);
      expect(url).toBe(`https://${ip}:${/:(\d+)\/$/.exec(url!)![1]}/`);
      expect(cli.out.stdout).toContain(`Or scan it with a phone:\n${renderUnicodeCompact(url!, { border: 2 })}\n`);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it.skipIf(lanAddresses().length === 0)('--tls off serves plain HTTP on a LAN address, makes no certificate, and warns once', async () => {
    const ip = lanAddresses()[0]!;
    const dataDir = mkdtempSync(join(tmpdir(), 'confab-data-'));
    const cli = startCli('SIGTERM', ['--host', ip, '--data-dir', dataDir, '--tls', 'off']);
    try {
      const [, url] = await waitForOutput(cli.out, /running at (\S+)\n/, cli.exited);
      expect(url).toMatch(new RegExp(`^http://${ip.replaceAll('.', '\\.')}:\\d+/$`));
      expect(await (await fetch(new URL('/healthz', url))).text()).toBe('ok\n');
      expect(cli.out.stdout).not.toMatch(/[0-9A-F]{2}(:[0-9A-F]{2}){31}/);
      expect(readdirSync(dataDir)).toEqual([]);
      expect(cli.out.stderr.match(/plain HTTP on a network address/g)).toHaveLength(1);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
