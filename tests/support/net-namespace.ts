import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from './browser';

/**
 * A network namespace joined to the host by a veth pair, for a browser whose network a test
 * cuts for real: `cut()` takes the host end of the cable down, so no packet (WebRTC, the
 * signaling WebSocket, anything) passes until `restore()`. The browser runs in it through a
 * wrapper script given to Playwright as its executable. Needs root and iproute2 (`ip`).
 *
 * Several test runs share the machine: names carry our pid, the /30 subnet is picked from
 * addresses nobody uses, and namespaces left by a run that was killed are swept on start.
 */
export interface NetNamespace {
  name: string;
  /** Address of the host end: the relay listens here so both sides reach it. */
  hostIp: string;
  /** Address of the browser inside. */
  innerIp: string;
  /** Run Chromium inside the namespace: pass as Playwright's executablePath. */
  chromiumPath: string;
  cut(): void;
  restore(): void;
  /** Caps what leaves the namespace to `kbit` (a token bucket on the cable); null lifts it. */
  limitUplink(kbit: number | null): void;
  /**
   * Makes 127.0.0.1:`port` inside the namespace reach 127.0.0.1:`port` on the host over a Unix
   * socket (the file system is shared): a TCP-only path, like a network that lets only web
   * traffic through a proxy. Used without the veth cable, no UDP can ever cross.
   */
  forwardTcp(port: number): Promise<void>;
  dispose(): void;
}

const PREFIX = 'confab-nd-';

/** Why this machine cannot make a network namespace, or null if it can. */
export function netNamespaceUnsupported(): string | null {
  if (process.getuid?.() !== 0) return 'network-drop test needs root to create a network namespace (id -u is not 0)';
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'pipe' });
  } catch (err) {
    return `network-drop test: this machine cannot create network namespaces (unshare -n failed: ${String(err)})`;
  }
  // iproute2 missing is not a reason to skip: CI installs it (.ci/run); fail loudly instead.
  return null;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    /* already gone */
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function removeNamespace(name: string, hostIf: string): void {
  quietly(() => ip('link', 'del', hostIf));
  quietly(() => ip('netns', 'del', name));
}

/** Namespaces left behind by runs that were killed before their cleanup ran. */
function sweepStale(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const match = new RegExp(`^${PREFIX}(\\d+)\\b`).exec(line.trim());
    if (match && !processAlive(Number(match[1]))) removeNamespace(`${PREFIX}${match[1]}`, `cfnd${match[1]}h`);
  }
}

function freeSubnet(): number {
  const used = ip('-o', '-4', 'addr');
  for (let i = 0; i < 200; i++) {
    const third = (process.pid + i) % 250;
    if (!used.includes(`10.231.${third}.`)) return third;
  }
  throw new Error('no free 10.231.x.0/30 subnet for the test namespace');
}

/** Pipes two sockets together; either end closing closes the other. */
function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
}

/** Runs inside the namespace: 127.0.0.1:PORT → the Unix socket SOCK. */
const INNER_FORWARDER = `
const net = require('node:net');
const [port, sock] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u); u.pipe(c);
  const end = () => { c.destroy(); u.destroy(); };
  c.on('error', end).on('close', end); u.on('error', end).on('close', end);
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

/** `cable: false` makes a namespace with only loopback: nothing but forwardTcp() gets out. */
export function createNetNamespace(opts: { cable?: boolean } = {}): NetNamespace {
  const cable = opts.cable ?? true;
  sweepStale();
  const name = `${PREFIX}${process.pid}`;
  const hostIf = `cfnd${process.pid}h`;
  const innerIf = `cfnd${process.pid}i`;
  const third = freeSubnet();
  const hostIp = `10.231.${third}.1`;
  const innerIp = `10.231.${third}.2`;
  const dir = mkdtempSync(join(tmpdir(), 'confab-netns-'));
  const chromiumPath = join(dir, 'chromium-in-netns');
  let disposed = false;
  const forwarders: ChildProcess[] = [];
  const servers: Server[] = [];
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const child of forwarders) child.kill('SIGKILL');
    for (const server of servers) server.close();
    removeNamespace(name, hostIf);
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', dispose);
  };
  process.once('exit', dispose);
  try {
    removeNamespace(name, hostIf);
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    if (cable) {
      ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', innerIf);
      ip('link', 'set', innerIf, 'netns', name);
      ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
      ip('link', 'set', hostIf, 'up');
      ip('-n', name, 'addr', 'add', `${innerIp}/30`, 'dev', innerIf);
      ip('-n', name, 'link', 'set', innerIf, 'up');
      ip('-n', name, 'route', 'add', 'default', 'via', hostIp);
    }
    writeFileSync(chromiumPath, `#!/bin/sh\nexec ip netns exec ${name} ${CHROMIUM_PATH} "$@"\n`);
    chmodSync(chromiumPath, 0o755);
  } catch (err) {
    dispose();
    throw err;
  }
  return {
    name,
    hostIp,
    innerIp,
    chromiumPath,
    cut: () => void ip('link', 'set', hostIf, 'down'),
    restore: () => void ip('link', 'set', hostIf, 'up'),
    limitUplink(kbit) {
      if (kbit === null) return quietly(() => execFileSync('tc', ['-n', name, 'qdisc', 'del', 'dev', innerIf, 'root'], { stdio: 'pipe' }));
      // netem is missing from these kernels; tbf is there: a queue of 200 ms, then drops.
      execFileSync('tc', ['-n', name, 'qdisc', 'replace', 'dev', innerIf, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '4kb', 'latency', '200ms'], { stdio: 'pipe' });
    },
    async forwardTcp(port) {
      const sock = join(dir, `tcp-${port}.sock`);
      const server = createServer((inner) => splice(inner, connect(port, '127.0.0.1')));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(sock, resolve));
      const child = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', INNER_FORWARDER, String(port), sock], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      forwarders.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`forwarder in ${name} exited with ${code}`)));
      });
    },
    dispose,
  };
}
