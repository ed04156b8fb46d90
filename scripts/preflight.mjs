// `npm test` starts here: the end-to-end tests need real browsers, redis-server, ip (network
// namespaces) and PulseAudio (Firefox's sound server). Missing ones are installed from Debian's
// packages when that is allowed (root, apt-get, and CI or CONFAB_INSTALL_DEPS=1); otherwise one
// line says what to install, and the run stops before any test launches a browser that is not
// there.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SBIN = ['/usr/sbin', '/sbin'];

/** Debian package → is what the tests run from it here? */
const NEEDS = {
  chromium: () => (process.env.CHROMIUM_PATH ? executable(process.env.CHROMIUM_PATH) : onPath('chromium')),
  'firefox-esr': () => onPath('firefox-esr'),
  'redis-server': () => onPath('redis-server'),
  iproute2: () => onPath('ip', SBIN),
  // Firefox's WebAudio runs only with an audio output: a PulseAudio daemon with its null sink.
  pulseaudio: () => onPath('pulseaudio'),
};

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
function onPath(command, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  return dirs.some((dir) => executable(join(dir, command)));
}
const missingPackages = () => Object.keys(NEEDS).filter((pkg) => !NEEDS[pkg]());

let missing = missingPackages();
if (missing.length === 0) process.exit(0);

const mayInstall =
  process.getuid?.() === 0 && onPath('apt-get', SBIN) && (Boolean(process.env.CI) || process.env.CONFAB_INSTALL_DEPS === '1');
if (mayInstall) {
  process.stderr.write(`npm test: installing ${missing.join(', ')} from Debian's packages\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // Said below, in the one line.
  }
  missing = missingPackages();
  if (missing.length === 0) process.exit(0);
}
const installCommand = `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y ${missing.join(' ')}`;
process.stderr.write(
  `npm test needs the Debian package${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: run \`${installCommand}\`` +
    ` (or, as root, CONFAB_INSTALL_DEPS=1 npm test installs them)\n`,
);
process.exit(1);
