import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyRelaySignal } from '../../../../crdt/identity/relay-presence-auth';
import { importHostKey } from '../../../../crdt/identity/host-identity';
import { relayIdFor, type RelaySignal } from '../../../../crdt/protocol/relay-presence';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';
import { SignalGuard } from '../../../../crdt/identity/signal-auth';
import { RELAY_KEY_FILE } from '../../../../relay/join/relay-key';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink, formatRoomHash } from '../../../../crdt/identity/room-link';
import { ConfigError } from '../../../../relay/config';
import { defaultPublicUrl, parseRelayJoinConfig } from '../../../../relay/join/join-config';
import { repoRoot } from '../../../support/relay-process';
import { bareRelay } from '../../../support/signaling-socket';
import { until } from '../../../support/wait';

const KILL_AFTER_MS = 30_000;
const link = newRoomLink();
const invite = `https://call.example:8443/confab/${formatRoomHash(link)}`;
const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseRelayJoinConfig(args, env);

function spawnCli(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CONFAB_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve(code))));
  return { child, out, exited };
}


describe('confab relay --join: options', () => {
  it('reads the room and its signaling relay from the invite link', () => {
    const config = parse(['--join', invite, '--port', '0'])!;
    expect(config.invite.link).toEqual({ roomId: link.roomId, secret: link.secret });
    expect(config.invite.signalingUrl).toBe('wss://call.example:8443/confab/signal');
    expect(config.invite.hostLink).toBe(false);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 0, meshMax: 6, logLevel: 'info', https: false });
    expect(config.publicUrl).toBeUndefined();
  });

  it('a link naming its signaling relay (&relay=) uses that one; a host link is taken, flagged', () => {
    const elsewhere = `https://static.example/${formatRoomHash({ ...link, signalingUrl: 'wss://sig.example/signal' })}`;
    expect(parse(['--join', elsewhere])!.invite.signalingUrl).toBe('wss://sig.example/signal');
    expect(parse(['--join', `${invite}&host=abc`])!.invite.hostLink).toBe(true);
  });

  it('takes the link from CONFAB_JOIN (kept off the command line), the flag winning', () => {
    expect(parse([], { CONFAB_JOIN: invite })!.invite.link.roomId).toBe(link.roomId);
    const other = newRoomLink();
    expect(parse(['--join', `http://h/${formatRoomHash(other)}`], { CONFAB_JOIN: invite })!.invite.link.roomId).toBe(other.roomId);
  });

  it('a missing or malformed link is a ConfigError that never echoes the link', () => {
    expect(() => parse([])).toThrow(ConfigError);
    const bad = [
      'not a url',
      `ftp://h/${formatRoomHash(link)}`,
      `https://h/#${link.roomId}`,
      `https://h/#${link.roomId}.${link.secret}.x`,
      `https://h/#${link.roomId}.${link.secret}&relay=https%3A%2F%2Fevil`,
      `https://h/#${link.roomId}.short`,
      `https://h/`,
      `https://h/#relay=wss%3A%2F%2Fsig%2Fsignal`,
      `https://h/${formatRoomHash(link)}${'x'.repeat(3000)}`,
    ];
    for (const text of bad) {
      let error: unknown;
      try {
        parse(['--join', text]);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain(link.secret);
    }
  });

  it('--public-url takes a relay URL or a site address and announces …/relay; anything else exits 2', () => {
    const url = (text: string) => parse(['--join', invite, '--public-url', text])!.publicUrl;
    expect(url('wss://relay.example:8443/relay')).toBe('wss://relay.example:8443/relay');
    expect(url('https://relay.example:8443/')).toBe('wss://relay.example:8443/relay');
    expect(url('http://10.0.0.5:8080')).toBe('ws://10.0.0.5:8080/relay');
    expect(url('ws://10.0.0.5:8080/confab/')).toBe('ws://10.0.0.5:8080/confab/relay');
    for (const bad of ['relay.example', 'ftp://x/relay', 'wss://u:p@x/relay', 'wss://x/relay?a=1']) {
      expect(() => url(bad), bad).toThrow(ConfigError);
    }
    expect(() => parse(['--join', invite, '--mesh-max', '0'])).toThrow(/--mesh-max must be a number from 1/);
    expect(parse(['--join', invite, '--public-ip', '203.0.113.7', '--udp-port', '3479'])).toMatchObject({ publicIp: '203.0.113.7', udpPort: 3479 });
    expect(() => parse(['--join', invite, '--public-ip', 'relay.example'])).toThrow(/--public-ip must be an IPv4 or IPv6 address/);
    expect(() => parse(['--join', invite, '--tls-cert', 'x.pem'])).toThrow(/go together/);
    expect(() => parse(['--join', invite, '--static', 'dist'])).toThrow(/Unknown option '--static'/);
    expect(parse(['--help'])).toBeNull();
  });

  it('announces the listening address by default (the first LAN address on 0.0.0.0)', () => {
    expect(defaultPublicUrl('127.0.0.1', 9000, false, [])).toBe('ws://127.0.0.1:9000/relay');
    expect(defaultPublicUrl('localhost', 9000, true, [])).toBe('wss://127.0.0.1:9000/relay');
    expect(defaultPublicUrl('0.0.0.0', 9000, true, ['192.168.1.7'])).toBe('wss://192.168.1.7:9000/relay');
    expect(defaultPublicUrl('::1', 9000, false, [])).toBe('ws://[::1]:9000/relay');
  });
});

describe('confab relay --join: the process', { timeout: 45_000 }, () => {
  it('a malformed link exits 2 with a one-line reason; --help exits 0', async () => {
    const bad = spawnCli(['relay', '--join', `https://h/#${link.roomId}.nope`]);
    expect(await bad.exited).toBe(2);
    expect(bad.out.stderr).toMatch(/^confab: --join is not a Confab invite link/);
    expect(bad.out.stderr).toContain('Run with confab relay --help');
    const help = spawnCli(['relay', '--help']);
    expect(await help.exited).toBe(0);
    expect(help.out.stdout).toMatch(/^Usage: confab relay --join/);
    for (const flag of ['--join', '--public-url', '--host', '--port', '--mesh-max', 'CONFAB_JOIN']) expect(help.out.stdout).toContain(flag);
  });

  it('keeps retrying while signaling is down, joins when it is up, announces itself sealed, says goodbye on SIGTERM', async () => {
    const signaling = await bareRelay();
    const origin = signaling.wsUrl.replace('ws://', 'http://').replace(/signal$/, '');
    await signaling.close();
    // The same port, nobody listening yet: the relay says so and keeps trying.
    const dataDir = mkdtempSync(join(tmpdir(), 'confab-relay-key-'));
    const cli = spawnCli(['relay', '--join', `${origin}${formatRoomHash(link)}`, '--port', '0', '--data-dir', dataDir]);
    let up: { wsUrl: string; close(): Promise<void> } | null = null;
    try {
      await until(() => /cannot reach the room's signaling relay at ws:\/\/127\.0\.0\.1:\d+\/signal: connection refused; retrying/.test(cli.out.stderr), 'the outage line', 20_000);
      expect(cli.child.exitCode).toBeNull();
      const keys = await deriveRoomKeys(link);
      const port = Number(new URL(origin).port);
      const server = (up = await bareRelayOn(port));
      const listener = new WebSocket(server.wsUrl);
      const opened: unknown[] = [];
      listener.on('message', (d) => {
        const frame = JSON.parse(d.toString()) as { type: string; data?: string };
        if (frame.type === 'publish') void keys.open(frame.data!).then((v) => opened.push(v));
      });
      await new Promise((r) => listener.once('open', r));
      listener.send(JSON.stringify({ type: 'subscribe', topics: [keys.roomTopic, await keys.peerTopic('newcomer')] }));
      await until(() => /Joined the room through ws:\/\/127\.0\.0\.1:\d+\/signal as relay [\w-]{16}\n/.test(cli.out.stdout), 'the joined line', 20_000);
      const [, relayUrl] = /announced to the room as (\S+)\n/.exec(cli.out.stdout)!;
      // A participant says hello on the room topic: the relay answers on its own topic.
      const announce = { v: 1, from: 'newcomer', msg: { kind: 'announce', key: 'k', proof: [], instance: 'i' } };
      listener.send(JSON.stringify({ type: 'publish', topic: keys.roomTopic, data: await keys.seal(announce) }));
      await until(() => opened.some((v) => (v as { to?: string }).to === 'newcomer'), 'the answer to a newcomer', 20_000);
      const hello = parseEnvelope(opened.find((v) => (v as { to?: string }).to === 'newcomer')) as { from: string; to: string; msg: RelaySignal };
      // Signed by the key it keeps in its data directory (private to its user), its id bound to that key and its URL.
      const kept = await importHostKey(readFileSync(join(dataDir, RELAY_KEY_FILE), 'utf8').trim());
      expect(statSync(join(dataDir, RELAY_KEY_FILE)).mode & 0o077).toBe(0);
      expect(hello.msg.relay).toEqual({ v: 2, id: hello.from, url: relayUrl, meshMax: 6, key: kept!.publicKey });
      expect(hello.from).toBe(await relayIdFor(relayUrl!, kept!.publicKey));
      expect(await verifyRelaySignal(link.roomId, hello, 'newcomer')).toBe('ok');
      expect(await verifyRelaySignal(link.roomId, hello)).toBe('not for us'); // addressed to someone else
      expect(await (await fetch(relayUrl!.replace('ws', 'http').replace(/relay$/, 'healthz'))).text()).toBe('ok\n');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await until(() => opened.some((v) => (v as { msg?: { kind?: string } }).msg?.kind === 'relay-bye'), 'the goodbye', 5_000);
      listener.close();
      // Everything it published on the room topic passes a page's signal guard (taken in the order signed:
      // the listener opens frames in parallel).
      const page = new SignalGuard(link.roomId, 'newcomer', 'page-load');
      const seqOf = (e: { msg: unknown }) => (e.msg as RelaySignal).seq;
      const broadcasts = opened.filter((v) => (v as { to?: string }).to === undefined).map((v) => parseEnvelope(v)!).sort((a, b) => seqOf(a) - seqOf(b));
      expect(broadcasts.map((e) => e.msg.kind)).toEqual([...broadcasts.slice(0, -1).map(() => 'relay'), 'relay-bye']);
      for (const e of broadcasts) expect((await page.verify(e)) === 'ok' && page.admit(e)).toBe(true);
    } finally {
      cli.child.kill('SIGKILL');
      await up?.close();
    }
  });
});

/** The bare signaling relay on a given port (to come up where a relay was told to look). */
async function bareRelayOn(port: number) {
  const { createServer } = await import('node:http');
  const { createSignalingRelay } = await import('../../../../relay/signaling');
  const relay = createSignalingRelay();
  const http = createServer();
  http.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    wsUrl: `ws://127.0.0.1:${port}/signal`,
    async close() {
      await relay.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
