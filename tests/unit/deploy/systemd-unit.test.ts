import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/relay-process';

/**
 * deploy/confab.service, run as systemd would run it — systemd is not PID 1 here, so its
 * sandbox is rebuilt by hand in a private mount namespace (unshare -m): every mount read-only
 * (ProtectSystem=strict) but the StateDirectory, home directories hidden (ProtectHome), a
 * private /tmp and /var/tmp (PrivateTmp), an unprivileged user with no new privileges
 * (DynamicUser, NoNewPrivileges). The package sits at /opt/confab as the unit's comment installs
 * it (a link to this checkout's built bin, on a tmpfs), and ExecStart runs word for word.
 */
const UNIT = readFileSync(join(repoRoot, 'deploy/confab.service'), 'utf8');
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NOBODY = 65534;

function directives(name: string): string[] {
  return [...UNIT.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}
function unitEnvironment(): Record<string, string> {
  return Object.fromEntries(directives('Environment').flatMap((line) => line.split(/\s+/).map((kv) => kv.split('=', 2) as [string, string])));
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs ExecStart inside the sandbox; `state` is bound at /var/lib (StateDirectory=confab → /var/lib/confab). */
function runSandboxed(state: string, env: Record<string, string>) {
  const [execStart] = directives('ExecStart');
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const envArgs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`)).join(' ');
  const script = [
    'set -e',
    `mount --bind ${q(state)} /var/lib`,
    'mount -t tmpfs tmpfs /opt',
    // The checkout itself stands for the installed package: bound in, not linked, because it may
    // live under /tmp or /root, which the sandbox hides below.
    'mkdir -p /opt/confab/node_modules/.bin /opt/confab/node_modules/confab-rooms',
    `mount --bind ${q(repoRoot)} /opt/confab/node_modules/confab-rooms`,
    'mount -o remount,bind,ro /opt/confab/node_modules/confab-rooms',
    'ln -s ../confab-rooms/bin/confab.js /opt/confab/node_modules/.bin/confab',
    'mount -o remount,ro /opt',
    'mount -o remount,bind,ro /', // ProtectSystem=strict (the other mounts here are /proc, /sys, /dev)
    'mount -t tmpfs -o mode=000 tmpfs /root', // ProtectHome=yes
    'mount -t tmpfs -o mode=000 tmpfs /home',
    'mount -t tmpfs tmpfs /tmp', // PrivateTmp=yes
    'mount -t tmpfs tmpfs /var/tmp',
    `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups --no-new-privs env -i ${envArgs} ${execStart}`,
  ].join('\n');
  const child = spawn('unshare', ['-m', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
  void exited.then(() => clearTimeout(kill));
  return { child, out, exited };
}

function httpsText(url: string): Promise<string> {
  return new Promise((resolve, reject) =>
    get(url, { rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject),
  );
}

const canSandbox = process.getuid?.() === 0 && existsSync('/usr/bin/unshare') && existsSync('/usr/bin/setpriv');

describe('deploy/confab.service', { timeout: 60_000 }, () => {
  it('asks for the hardening it is tested under, and runs no npx', () => {
    for (const d of ['ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'DynamicUser=yes', 'StateDirectory=confab', 'NoNewPrivileges=yes']) {
      expect(UNIT).toMatch(new RegExp(`^${d}$`, 'm'));
    }
    expect(directives('ExecStart')).toEqual(['/opt/confab/node_modules/.bin/confab']);
    expect(UNIT).not.toMatch(/^ExecStart=.*\b(npx|tsx)\b/m);
  });

  it.skipIf(!canSandbox)('its ExecStart starts under a read-only system and home, a private /tmp, and answers /healthz over HTTPS', async () => {
    const state = mkdtempSync(join(tmpdir(), 'confab-state-'));
    chmodSync(state, 0o755); // it stands for /var/lib
    mkdirSync(join(state, 'confab'), { mode: 0o700 });
    chownSync(join(state, 'confab'), NOBODY, NOBODY); // what StateDirectory= does for the dynamic user
    const port = await freePort();
    // The unit's environment, on loopback and a free port; HTTPS is forced so the certificate is made.
    const env = { ...unitEnvironment(), PATH: SYSTEMD_PATH, STATE_DIRECTORY: '/var/lib/confab', CONFAB_HOST: '127.0.0.1', CONFAB_PORT: String(port), CONFAB_HTTPS: '1' };
    const run = runSandboxed(state, env);
    try {
      await expect.poll(() => run.out.stdout, { timeout: 30_000, interval: 100 }).toMatch(/running at https:\/\/127\.0\.0\.1:\d+\//);
      expect(await httpsText(`https://127.0.0.1:${port}/healthz`)).toBe('ok\n');
      expect(await httpsText(`https://127.0.0.1:${port}/`)).toContain('<div id="app"');
      expect(existsSync(join(state, 'confab', 'confab-cert.pem'))).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
    expect(run.out.stderr).not.toMatch(/"level":"error"/);
  });

  it.skipIf(!canSandbox)('the sandbox is real: with no StateDirectory it cannot write its certificate, and exits 1 saying where', async () => {
    const state = mkdtempSync(join(tmpdir(), 'confab-state-'));
    const port = await freePort();
    const env = { ...unitEnvironment(), PATH: SYSTEMD_PATH, HOME: '/root', CONFAB_HOST: '127.0.0.1', CONFAB_PORT: String(port), CONFAB_HTTPS: '1' };
    const run = runSandboxed(state, env);
    expect(await run.exited).toBe(1);
    expect(run.out.stderr).toMatch(/^confab: could not keep the self-signed certificate in \/root\/\.confab \(E\w+\)/m);
  });
});
