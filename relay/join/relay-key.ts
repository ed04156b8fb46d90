import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportHostKey, importHostKey, newSigningIdentity, type SigningIdentity } from '../../crdt/identity/host-identity';

/** Where a relay node keeps the key it signs its presence with, beside its TLS certificate. */
export const RELAY_KEY_FILE = 'confab-relay-key';

export interface RelayKey {
  identity: SigningIdentity;
  /** Null: kept in memory only (the data directory could not be written); a restart is a new relay id. */
  path: string | null;
}

/**
 * The relay node's long-lived signing key (PROTOCOL.md, "Relays in a room"): read from the data
 * directory, or made and kept there (private scalar ‖ raw public key, base64url, mode 0600),
 * so a restarted relay keeps its id and any approval of it. Relays started at once on one data
 * directory share the key the first one wrote (their ids still differ by URL).
 */
export async function loadOrCreateRelayKey(dataDir: string): Promise<RelayKey> {
  const path = join(dataDir, RELAY_KEY_FILE);
  const kept = await readKey(path);
  if (kept) return { identity: kept, path };
  const identity = await newSigningIdentity();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, `${await exportHostKey(identity)}\n`, { mode: 0o600, flag: 'wx' });
    return { identity, path };
  } catch (err) {
    // Another relay on this data directory wrote one first: use it (if still half-written, go ephemeral).
    const other = (err as NodeJS.ErrnoException).code === 'EEXIST' ? await readKey(path).catch(() => null) : null;
    return other ? { identity: other, path } : { identity, path: null };
  }
}

/** The key kept at `path`, or null when there is none; throws on a file that is not a key (never overwritten). */
async function readKey(path: string): Promise<SigningIdentity | null> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const identity = await importHostKey(text.trim());
  if (!identity) throw new Error(`${path} is not a Confab relay key; move it away to make a new one`);
  return identity;
}
