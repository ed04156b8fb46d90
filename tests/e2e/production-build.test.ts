import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, testClientDir } from '../support/relay-process';

/** Every file of a built client, as text. */
function builtText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(js|html)$/.test(entry.name))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

/** Names that exist only for tests (client/src/test-hooks/): window.confabDebug, the tamper hooks, the test session. */
const TEST_ONLY = ['confabDebug', 'confab.testHooks', 'stayWhenRemoved', 'tamperTools', 'relayCandidatePorts'];

describe('test hooks ship only in the test build (npm run build makes both)', () => {
  it('the production build (dist/) has none of them', () => {
    const prod = builtText(join(repoRoot, 'dist'));
    expect(prod).toContain('Create room');
    for (const name of TEST_ONLY) expect(prod.includes(name), name).toBe(false);
  });

  it('the test build (dist-test/), which the e2e tests serve, has them all', () => {
    const test = builtText(testClientDir);
    for (const name of TEST_ONLY) expect(test.includes(name), name).toBe(true);
  });
});
