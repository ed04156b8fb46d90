import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../../../crdt/identity/host-identity';
import { loadOrCreateRelayKey, RELAY_KEY_FILE } from '../../../../relay/join/relay-key';

const freshDir = () => mkdtempSync(join(tmpdir(), 'confab-relay-key-'));

describe('a relay node’s signing key', () => {
  it('is made once, kept private in the data directory, and the same after a restart', async () => {
    const dir = join(freshDir(), 'nested');
    const first = await loadOrCreateRelayKey(dir);
    expect(first.path).toBe(join(dir, RELAY_KEY_FILE));
    expect(statSync(first.path!).mode & 0o077).toBe(0);
    const again = await loadOrCreateRelayKey(dir);
    expect(again.identity.publicKey).toBe(first.identity.publicKey);
    // The kept private key signs for the public key it came with.
    const bytes = new TextEncoder().encode('x');
    expect(await verify(first.identity.publicKey, await sign(again.identity, bytes), bytes)).toBe(true);
  });

  it('relays started together on one data directory end up with one key', async () => {
    const dir = freshDir();
    const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateRelayKey(dir)));
    expect(new Set(keys.map((k) => k.identity.publicKey)).size).toBe(1);
  });

  it('a file that is not a key is an error, never overwritten; an unwritable directory gives a key for this run only', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, RELAY_KEY_FILE), 'not a key\n');
    await expect(loadOrCreateRelayKey(dir)).rejects.toThrow(/is not a Confab relay key/);
    expect(readFileSync(join(dir, RELAY_KEY_FILE), 'utf8')).toBe('not a key\n');
    if (process.getuid?.() === 0) return; // root writes anywhere
    const locked = freshDir();
    chmodSync(locked, 0o500);
    const ephemeral = await loadOrCreateRelayKey(locked);
    expect(ephemeral.path).toBeNull();
    expect(ephemeral.identity.publicKey).toMatch(/^[\w-]{87}$/);
  });
});
