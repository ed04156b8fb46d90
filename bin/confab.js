#!/usr/bin/env node
// `confab` on the PATH (package.json bin): the compiled server, run by plain node.
// `npm run build` (or `npm start`, or `npm pack`) makes dist-server/ from relay/ and crdt/.
import { existsSync } from 'node:fs';

const server = new URL('../dist-server/confab.js', import.meta.url);
if (!existsSync(server)) {
  process.stderr.write('confab: the server is not built: run `npm run build` (or `npm start`) in this checkout\n');
  process.exit(1);
}
await import(server.href);
