import { readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../crdt/wire';

// The compiled server has it baked in (scripts/build-server.mjs); from source, package.json says.
declare const __CONFAB_VERSION__: string | undefined;

export const CONFAB_VERSION: string =
  typeof __CONFAB_VERSION__ === 'string'
    ? __CONFAB_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What `confab --version` prints: the package and the signaling wire protocol it speaks. */
export const versionLine = () => `confab ${CONFAB_VERSION} (wire protocol ${PROTOCOL_VERSION})`;
