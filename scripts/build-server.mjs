// relay/ and crdt/ → one ES module, dist-server/confab.js, that plain `node` runs (bin/confab.js).
// npm packages stay imports (node-datachannel is native; the rest install as dependencies).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['relay/cli.ts'],
  outfile: 'dist-server/confab.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  // The version is baked in: the bundle sits elsewhere than relay/ and must not look for package.json.
  define: { __CONFAB_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
