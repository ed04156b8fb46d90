import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot, startRelay, type RelayProcess } from '../support/relay-process';
import { barePeerConnectionMs, joinToFirstFrameMs, percentile } from './client-bench';

/**
 * The last commit before membership-bound media keys and signed signals (#13): its join time is
 * the "before" of the issue (405 ms against 127 ms for a bare connection, 3.2×, on a quiet
 * machine then).
 */
export const BEFORE_KEYS_REV = process.env.BENCH_BEFORE_REV ?? '41c8318';

/**
 * Join → first remote frame, before and after, side by side in one run on one machine: the
 * `BEFORE_KEYS_REV` checkout is built into a temporary worktree (sharing this checkout's
 * node_modules) and served by its own server; rounds alternate between the two builds and a
 * bare RTCPeerConnection, so machine load falls on all three alike.
 */
export async function joinBeforeAfterBench(browser: Browser, rounds = 4, joinsPerRound = 6): Promise<void> {
  const before = buildRevision(BEFORE_KEYS_REV);
  const servers: [string, () => Promise<RelayProcess>][] = [
    [`before (${BEFORE_KEYS_REV})`, () => startRelay({ command: [process.execPath, join(before.dir, 'bin/confab.js')], cwd: before.dir, args: ['--static', join(before.dir, 'dist')] })],
    ['now', () => startRelay()],
  ];
  const times = new Map<string, number[]>([['bare RTCPeerConnection', []], ...servers.map(([name]) => [name, []] as [string, number[]])]);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [name, start] of servers) {
        const relay = await start();
        try {
          if (name === 'now') times.get('bare RTCPeerConnection')!.push(...(await barePeerConnectionMs(browser, relay.url, joinsPerRound)));
          times.get(name)!.push(...(await joinToFirstFrameMs(browser, relay.url, joinsPerRound)));
        } finally {
          await relay.stop();
        }
      }
    }
  } finally {
    before.remove();
  }
  const bare = percentile(times.get('bare RTCPeerConnection')!, 50);
  console.log(`\nConfab bench — click Join → first remote frame, before and after #13 (Chromium, loopback, interleaved rounds; load ${loadavg()[0]!.toFixed(1)})\n`);
  console.table(
    Object.fromEntries(
      [...times].map(([name, v]) => [
        name,
        { p50: `${percentile(v, 50).toFixed(0)} ms`, p95: `${percentile(v, 95).toFixed(0)} ms`, 'p50 / bare': `${(percentile(v, 50) / bare).toFixed(2)}×`, runs: v.length },
      ]),
    ),
  );
}

/** A worktree of `rev` with its client and server built, removed by `remove()`. */
function buildRevision(rev: string): { dir: string; remove(): void } {
  const dir = join(mkdtempSync(join(tmpdir(), 'confab-before-')), 'tree');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, stdio: 'pipe' });
  git('worktree', 'add', '--detach', dir, rev);
  const remove = () => {
    git('worktree', 'remove', '--force', dir);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  };
  try {
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit' });
    execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: dir, stdio: 'inherit' });
    if (!existsSync(join(dir, 'dist-server/confab.js'))) throw new Error(`${rev}: no dist-server/confab.js after the build`);
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}
