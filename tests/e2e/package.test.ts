import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_PROTOCOL_VERSION } from '../../crdt/protocol/relay-wire';
import { PROTOCOL_VERSION } from '../../crdt/protocol/wire';
import { launchChromium, newParticipant } from '../support/browser';
import { expectVideoFlowing, peerIds, twoPersonCall } from '../support/room-actions';
import { repoRoot, startRelay, type RelayProcess } from '../support/relay-process';

const run = promisify(execFile);
// npm fetches the runtime dependencies from the registry (or its cache): bounded, not timed.
const INSTALL_TIMEOUT_MS = 240_000;

/**
 * The release as a self-hoster gets it: `npm pack` of this checkout (after `npm run build`),
 * installed into an empty folder with `--omit=dev` (no tsx, no vite, no TypeScript), and run
 * through the bin npm links — --help, --version, the page, /healthz and a real two-browser call.
 */
describe('the packed package, installed with --omit=dev', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'confab-pack-'));
  const app = join(dir, 'app');
  const bin = join(app, 'node_modules', '.bin', 'confab');
  let files: string[] = [];
  let relay: RelayProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // --ignore-scripts: prepack would rebuild; npm test has just built dist/ and dist-server/.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    mkdirSync(app);
    await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info!.filename)], {
      cwd: app,
      timeout: INSTALL_TIMEOUT_MS,
    });
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built client, the compiled server, the license and the service files — no sources, no tests', () => {
    for (const f of ['bin/confab.js', 'dist/index.html', 'dist-server/confab.js', 'LICENSE', 'CHANGELOG.md', 'deploy/confab.service', 'deploy/healthcheck.cjs']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(relay|crdt|client|tests)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'vite'))).toBe(false);
  });

  it('--help and --version run from the installed bin', async () => {
    const help = await run(bin, ['--help']);
    expect(help.stdout).toMatch(/^Usage: confab /);
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect((await run(bin, ['--version'])).stdout).toBe(`confab ${version} (wire protocol ${PROTOCOL_VERSION}, relay protocol ${RELAY_PROTOCOL_VERSION})\n`);
  });

  it('starts, serves the page and /healthz, passes its container health check, and carries a two-person call', async () => {
    // The installed server; the page it serves is this checkout's test build (startRelay sets
    // CONFAB_STATIC), since the call is checked through window.confabDebug, which dist/ has not.
    relay = await startRelay({ command: [bin], args: ['--tls', 'off'] });
    expect(await (await fetch(new URL('/healthz', relay.url))).text()).toBe('ok\n');
    expect(await (await fetch(relay.url)).text()).toContain('<div id="app">');
    const port = new URL(relay.url).port;
    const healthcheck = (onPort: string) =>
      run(process.execPath, [join(app, 'node_modules', 'confab-rooms', 'deploy', 'healthcheck.cjs')], { env: { ...process.env, CONFAB_PORT: onPort, CONFAB_TLS: 'off' } });
    await healthcheck(port);
    await expect(healthcheck('1')).rejects.toMatchObject({ code: 1 }); // nothing listens there

    browser = await launchChromium();
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(browser!)).page, relay.url);
    const [bobId] = await peerIds(alice);
    const [aliceId] = await peerIds(bob);
    await expectVideoFlowing(alice, bobId!);
    await expectVideoFlowing(bob, aliceId!);
  });
});
