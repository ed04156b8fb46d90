import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/relay-process';

/** Runs `npm test`'s first step with `env` as the whole environment. */
function preflight(env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, ['scripts/preflight.mjs'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm test preflight', () => {
  it('passes silently on this machine, where the tests run', () => {
    expect(preflight({ PATH: process.env.PATH })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('without the browsers and redis-server: one line naming the packages and the install command, exit 1', () => {
    // A PATH with nothing on it, as on a fresh machine (ip is looked up in /usr/sbin too).
    const bare = { PATH: mkdtempSync(join(tmpdir(), 'confab-bare-path-')), CHROMIUM_PATH: '/nonexistent/chromium' };
    const { code, stderr, stdout } = preflight(bare);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('chromium, firefox-esr, redis-server');
    expect(stderr).toMatch(/apt-get install -y chromium firefox-esr redis-server/);
    // Installing is asked for, but apt-get is not there: the same one line, no attempt.
    const asked = preflight({ ...bare, CONFAB_INSTALL_DEPS: '1', CI: '1' });
    expect(asked.code).toBe(1);
    expect(asked.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
