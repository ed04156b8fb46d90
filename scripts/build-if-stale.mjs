// `npm start`: build the client (dist/) and the server (dist-server/) only when a source file
// is newer than what was built, as make would. An installed package has no sources: no build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';

const newest = (paths) =>
  Math.max(
    0,
    ...paths.filter(existsSync).flatMap((p) =>
      statSync(p).isDirectory()
        ? readdirSync(p, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs)
        : [statSync(p).mtimeMs],
    ),
  );
const builtAt = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);
const stale = (sources, built) => newest(sources) > builtAt(built);
const run = (args) => execFileSync('npm', ['run', '--silent', ...args], { stdio: 'inherit' });

if (stale(['client', 'crdt', 'vite.config.ts', 'package.json'], 'dist/index.html')) run(['build:client']);
if (stale(['relay', 'crdt', 'package.json'], 'dist-server/confab.js')) run(['build:server']);
