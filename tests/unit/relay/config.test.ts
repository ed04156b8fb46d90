import { renderUnicodeCompact } from 'uqr';
import { describe, expect, it } from 'vitest';
import { startupBanner } from '../../../relay/banner';
import { ConfigError, parseConfig } from '../../../relay/config';
import { parseIceServers } from '../../../relay/ice-servers';
import { workerConfig } from '../../../relay/workers';
import { availableParallelism } from 'node:os';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(argv, env);
const problem = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return null;
};

describe('--ice-servers syntax', () => {
  it('turns STUN/TURN URLs with credentials before the host into RTCIceServer entries', () => {
    expect(parseIceServers('stun:stun.example:3478, turn:user:pass@turn.example:3478?transport=udp,turns:u%2Cx:p%40ss%3A1@[2001:db8::1]:5349')).toEqual([
      { urls: 'stun:stun.example:3478' },
      { urls: 'turn:turn.example:3478?transport=udp', username: 'user', credential: 'pass' },
      { urls: 'turns:[2001:db8::1]:5349', username: 'u,x', credential: 'p@ss:1' },
    ]);
    expect(parseIceServers('')).toEqual([]);
    expect(parseIceServers('stun:127.0.0.1')).toEqual([{ urls: 'stun:127.0.0.1' }]);
  });

  it.each([
    ['http://stun.example', 'is not a STUN/TURN URL'],
    ['stun:', 'is not a STUN/TURN URL'],
    ['turn:turn.example', 'a TURN server needs a user and password'],
    ['stun:u:p@stun.example', 'STUN servers take no user or password'],
    ['stun:stun.example?transport=tcp', '?transport is for TURN only'],
    ['stun:stun.example:70000', 'port must be from 1 to 65535'],
    ['turn:u:%zz@turn.example', 'bad percent-encoding'],
    ['stun:a,,stun:b', 'is not a STUN/TURN URL'],
    [Array.from({ length: 9 }, (_, i) => `stun:s${i}.example`).join(','), 'at most 8 ICE servers'],
  ])('refuses %s', (text, message) => {
    expect(() => parseIceServers(text)).toThrow(message);
  });

  it('never repeats a TURN password in an error', () => {
    expect(() => parseIceServers('turn:alice:hunter2@bad host')).toThrow('"turn:alice:***@bad host"');
  });
});

describe('parseConfig', () => {
  it('defaults: loopback, 8080, no ICE servers, 50 peers a room, 1000 rooms, mesh up to 6, info logs', () => {
    expect(parse([])).toMatchObject({ host: '127.0.0.1', port: 8080, iceServers: [], maxPeersPerRoom: 50, maxRooms: 1000, meshMax: 6, logLevel: 'info' });
    expect(parse([])).not.toHaveProperty('publicIp');
    expect(parse(['--help'])).toBeNull();
  });

  it('reads each setting from its flag or its variable; the flag wins; empty variables count as unset', () => {
    const env = {
      CONFAB_ICE_SERVERS: 'stun:127.0.0.1:3478',
      CONFAB_PUBLIC_IP: '2001:db8::7',
      CONFAB_MAX_PEERS_PER_ROOM: '8',
      CONFAB_MAX_ROOMS: '20',
      CONFAB_MESH_MAX: '4',
      CONFAB_LOG_LEVEL: 'debug',
      CONFAB_HOST: '',
    };
    expect(parse([], env)).toMatchObject({
      host: '127.0.0.1',
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      publicIp: '2001:db8::7',
      maxPeersPerRoom: 8,
      maxRooms: 20,
      meshMax: 4,
      logLevel: 'debug',
    });
    expect(parse(['--public-ip', '203.0.113.7', '--udp-port', '3478', '--max-rooms', '3', '--mesh-max', '2', '--log-level', 'error'], env)).toMatchObject({
      publicIp: '203.0.113.7',
      udpPort: 3478,
      maxRooms: 3,
      meshMax: 2,
      logLevel: 'error',
    });
  });

  it.each([
    [['--public-ip', '203.0.113'], '--public-ip must be an IPv4 or IPv6 address, like 203.0.113.7, not "203.0.113"'],
    [['--public-ip', '0.0.0.0'], '--public-ip must be an IPv4 or IPv6 address'],
    [['--udp-port', '0'], '--udp-port must be a number from 1 to 65535, not "0"'],
    [['--max-peers-per-room', '1'], '--max-peers-per-room must be a number from 2 to 1000000, not "1"'],
    [['--max-rooms', '0'], '--max-rooms must be a number from 1 to 1000000, not "0"'],
    [['--max-rooms', '1e3'], '--max-rooms must be a number from 1 to 1000000, not "1e3"'],
    [['--log-level', 'loud'], '--log-level must be one of error, warn, info, debug, not "loud"'],
    [['--ice-servers', 'stun:'], '--ice-servers: "stun:" is not a STUN/TURN URL'],
    [['--tls-key', 'k.pem'], '--tls-cert and --tls-key go together'],
  ])('%j is refused', (argv, message) => {
    expect(problem(argv)).toContain(message);
  });

  it('--tls off (or CONFAB_TLS=off) asks for plain HTTP; it refuses anything but off, and --https or a certificate beside it', () => {
    expect(parse([])).toMatchObject({ tlsOff: false });
    expect(parse(['--tls', 'off'])).toMatchObject({ tlsOff: true, https: false });
    expect(parse([], { CONFAB_TLS: 'off' })).toMatchObject({ tlsOff: true });
    expect(problem(['--tls', 'on'])).toBe('--tls takes only "off" (plain HTTP behind a TLS proxy), not "on"');
    expect(problem(['--tls', 'off', '--https'])).toContain('--tls off serves plain HTTP: it does not go with --https or --tls-cert');
    expect(problem(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], { CONFAB_TLS: 'off' })).toContain('CONFAB_TLS off serves plain HTTP');
  });

  it('--redis (or CONFAB_REDIS_URL) takes a redis:// or rediss:// URL; without it, no cluster', () => {
    expect(parse([])).not.toHaveProperty('redisUrl');
    expect(parse(['--redis', 'redis://127.0.0.1:6379'])).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379' });
    expect(parse([], { CONFAB_REDIS_URL: 'rediss://cache.example:6380/2' })).toMatchObject({ redisUrl: 'rediss://cache.example:6380/2' });
    expect(problem(['--redis', '127.0.0.1:6379'])).toBe('--redis must be a redis:// or rediss:// URL, like redis://127.0.0.1:6379');
  });

  it('--workers N (or CONFAB_WORKERS, or "auto": one a core) needs --redis; worker i carries media on --udp-port + i', () => {
    const redis = ['--redis', 'redis://127.0.0.1:6379'];
    expect(parse([])).toMatchObject({ workers: 1 });
    expect(parse(['--workers', '3', ...redis])).toMatchObject({ workers: 3 });
    expect(parse(redis, { CONFAB_WORKERS: 'auto' })!.workers).toBe(availableParallelism());
    expect(parse(['--workers', '1'])).toMatchObject({ workers: 1 });
    expect(problem(['--workers', '2'])).toBe('--workers 2 needs --redis: the workers share rooms through Redis (DEPLOY.md, "Many nodes on Redis")');
    expect(problem(['--workers', '0', ...redis])).toBe('--workers must be a number from 1 to 64, not "0"');
    expect(workerConfig({ udpPort: 3479 }, 2)).toEqual({ udpPort: 3481 });
    expect(workerConfig({}, 2)).toEqual({});
  });

  it("keeps its certificate in systemd's STATE_DIRECTORY when no --data-dir is given", () => {
    expect(parse([], { STATE_DIRECTORY: '/var/lib/confab:/var/lib/other' })).toMatchObject({ dataDir: '/var/lib/confab' });
    expect(parse(['--data-dir', '/srv/c'], { STATE_DIRECTORY: '/var/lib/confab' })).toMatchObject({ dataDir: '/srv/c' });
  });

  it('names the variable when the bad value came from the environment', () => {
    expect(problem([], { CONFAB_MAX_ROOMS: 'many' })).toBe('CONFAB_MAX_ROOMS must be a number from 1 to 1000000, not "many"');
  });
});

describe('startup banner', () => {
  it('on loopback: the URL and what to do, no QR code', () => {
    expect(startupBanner({ urls: ['http://127.0.0.1:8080/'], qr: false })).toBe(
      'Confab is running at http://127.0.0.1:8080/\nOpen that address in a browser, click "Create room" and share the link.\n',
    );
  });

  it('on a LAN: every URL, a QR code of the first one, then the fingerprint', () => {
    const text = startupBanner({ urls: ['https://192.168.1.20:8080/', 'https://10.0.0.5:8080/'], qr: true, fingerprint: 'AB:CD' });
    const qr = renderUnicodeCompact('https://192.168.1.20:8080/', { border: 2 });
    expect(text).toBe(
      [
        'Confab is running at https://192.168.1.20:8080/',
        '  also at https://10.0.0.5:8080/',
        'Open that address in a browser, click "Create room" and share the link.',
        'Or scan it with a phone:',
        qr,
        'The certificate is self-signed: browsers warn once. Its SHA-256 fingerprint is',
        '  AB:CD',
        '',
      ].join('\n'),
    );
    expect(qr.split('\n').length).toBeGreaterThan(10);
  });
});
