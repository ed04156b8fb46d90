import type { IceServer } from '../crdt/protocol/wire';

/** More would only slow every browser's ICE gathering. */
export const MAX_ICE_SERVERS = 8;

/**
 * `--ice-servers`: comma-separated STUN/TURN URLs, credentials (percent-encoded if they hold
 * `:`, `@` or `,`) written before the host as in `turn:user:pass@turn.example:3478`:
 *
 *   stun:stun.example:3478,turn:alice:s3cret@turn.example:3478?transport=tcp,turns:…@turn.example:5349
 *
 * Returns the RTCIceServer list browsers are given; throws an Error saying what is wrong.
 */
export function parseIceServers(text: string): IceServer[] {
  const entries = text.split(',').map((e) => e.trim());
  if (entries.length === 1 && entries[0] === '') return [];
  if (entries.length > MAX_ICE_SERVERS) throw new Error(`at most ${MAX_ICE_SERVERS} ICE servers, not ${entries.length}`);
  return entries.map(parseOne);
}

const ICE_URL =
  /^(stuns?|turns?):(?:([^:@/?]+):([^@/?]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

function parseOne(entry: string): IceServer {
  const m = ICE_URL.exec(entry);
  // Error messages end up in terminals and logs: never repeat a password.
  const shown = entry.replace(/^([a-z]+:[^:@]*):[^@]*@/, '$1:***@');
  if (!m) {
    throw new Error(
      `"${shown}" is not a STUN/TURN URL like stun:host:3478 or turn:user:password@host:3478 (with ?transport=udp|tcp for TURN)`,
    );
  }
  const [, scheme = '', user, password, host = '', portText, transport] = m;
  const isTurn = scheme.startsWith('turn');
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) {
    throw new Error(`"${shown}": port must be from 1 to 65535`);
  }
  if (isTurn && user === undefined) throw new Error(`"${shown}": a TURN server needs a user and password (turn:user:password@host)`);
  if (!isTurn && user !== undefined) throw new Error(`"${shown}": STUN servers take no user or password`);
  if (!isTurn && transport !== undefined) throw new Error(`"${shown}": ?transport is for TURN only`);
  const urls = `${scheme}:${host}${portText !== undefined ? `:${portText}` : ''}${transport ? `?transport=${transport}` : ''}`;
  if (!isTurn) return { urls };
  return { urls, username: decode(user!, shown), credential: decode(password!, shown) };
}

function decode(part: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error(`"${shown}": bad percent-encoding in the user or password`);
  }
}
