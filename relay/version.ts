import { readFileSync } from 'node:fs';
import { RELAY_PROTOCOL_VERSION } from '../crdt/protocol/relay-wire';
import { PROTOCOL_VERSION } from '../crdt/protocol/wire';

// The compiled server has it baked in (scripts/build-server.mjs); from source, package.json says.
declare const __CONFAB_VERSION__: string | undefined;

export const CONFAB_VERSION: string =
  typeof __CONFAB_VERSION__ === 'string'
    ? __CONFAB_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What `confab --version` prints: the package, the signaling wire protocol and the relay node's. */
export const versionLine = () => `confab ${CONFAB_VERSION} (wire protocol ${PROTOCOL_VERSION}, relay protocol ${RELAY_PROTOCOL_VERSION})`;
