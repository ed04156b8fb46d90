import { isIP } from 'node:net';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SIGNALING_LIMITS, type IceServer } from '../crdt/protocol/wire';
import { parseIceServers } from './ice-servers';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log';

export const USAGE = `Usage: confab [options]
       confab relay --join '<invite link>' [options]

Runs Confab: the signaling relay, the relay node and the web client, in one process. Every option can also
be set by the environment variable named beside it (the flag wins). \`confab relay --join\` runs a
relay node alone and joins it to one room, from any machine that can reach that room's
signaling (see \`confab relay --help\`).

  --host HOST        address to listen on (default 127.0.0.1; env CONFAB_HOST). Use 0.0.0.0
                     to serve every device on your LAN.
  --port PORT        port to listen on, 0 for any free one (default 8080; env CONFAB_PORT)
  --https            serve HTTPS even on localhost (env CONFAB_HTTPS=1; it is automatic on any
                     other address: browsers allow the camera only on https or localhost)
  --tls off          serve plain HTTP on every address (env CONFAB_TLS=off): for running behind
                     a reverse proxy that terminates TLS and forwards /signal and /relay
  --tls-cert FILE    PEM certificate to serve HTTPS with (env CONFAB_TLS_CERT) ...
  --tls-key FILE     ... and its PEM private key (env CONFAB_TLS_KEY). Without them Confab
                     makes a self-signed certificate and keeps it in the data directory.
  --data-dir DIR     where that certificate is kept (default ~/.confab, or systemd's
                     $STATE_DIRECTORY; env CONFAB_DATA_DIR)
  --static DIR       the built client to serve (default: dist/ of this checkout; env CONFAB_STATIC)
  --ice-servers LIST STUN/TURN servers the browsers use to reach each other across NATs
                     (env CONFAB_ICE_SERVERS; default none: nothing is sent to third parties).
                     Comma-separated URLs, TURN credentials before the host, percent-encoded
                     if they contain : @ or , — e.g.
                       stun:stun.example:3478,turn:user:pass@turn.example:3478?transport=udp
                     Every browser that connects to /signal is sent this list, credentials
                     included.
  --public-ip IP     the public address of this machine when it is behind a 1:1 NAT (a cloud
                     VM, a forwarded router port; env CONFAB_PUBLIC_IP): the relay node offers
                     its media at this address too. Forward the UDP port (--udp-port) to it.
  --udp-port PORT    carry all of the relay node's media on this one UDP port (env
                     CONFAB_UDP_PORT; default: a free port per connection). One port to open
                     in a firewall or forward through a NAT.
  --mesh-max N       rooms of up to N people connect everyone to everyone (a full mesh);
                     bigger rooms send their media through this server's relay node
                     (default 6; env CONFAB_MESH_MAX)
  --max-peers-per-room N
                     subscribers one signaling topic may have (default 50; env
                     CONFAB_MAX_PEERS_PER_ROOM). A room is one topic, so one more person
                     than this is told "This room is full".
  --max-rooms N      rooms the server holds at once (default 1000; env CONFAB_MAX_ROOMS). A
                     room is a topic with two or more subscribers: each person's private
                     topic and someone waiting alone do not count.
  --max-rooms-per-address N
                     rooms one network (an IPv4 address, an IPv6 /64) may take part in
                     at once (default 20; env CONFAB_MAX_ROOMS_PER_ADDRESS), so nobody
                     fills --max-rooms from a few machines. Raise it for a big office
                     behind one NAT.
  --redis URL        redis://host:port of a cluster of Confab nodes (env CONFAB_REDIS_URL):
                     signaling reaches every node, and a room that moves to a relay node is
                     placed on the least-loaded node (DEPLOY.md). Without it: one node alone.
  --workers N        run N processes on this box, one a core, on the one --port (env
                     CONFAB_WORKERS; default 1; "auto": one per core). They share rooms
                     through --redis, which it needs; a worker that dies is started again.
                     With --udp-port P, worker i carries its media on port P+i.
  --log-level LEVEL  ${LOG_LEVELS.join('|')} (default info; env CONFAB_LOG_LEVEL): JSON lines on
                     stderr, one a server event
  --version          print the version of Confab and of its wire protocol
  --help             show this help`;

/** Everything the CLI was told, checked. */
export interface Config {
  host: string;
  port: number;
  staticDir: string;
  https: boolean;
  /** `--tls off`: plain HTTP on any address, for a TLS-terminating proxy in front. */
  tlsOff: boolean;
  tlsCert?: string;
  tlsKey?: string;
  dataDir: string;
  iceServers: IceServer[];
  publicIp?: string;
  udpPort?: number;
  maxPeersPerRoom: number;
  maxRooms: number;
  maxRoomsPerAddress: number;
  meshMax: number;
  logLevel: LogLevel;
  redisUrl?: string;
  /** Processes on this box sharing --port and --redis (relay/workers.ts); 1: this process alone. */
  workers: number;
}

/** A bad flag or variable: the CLI prints the message and exits 2. */
export class ConfigError extends Error {}

const DEFAULT_MAX_PEERS_PER_ROOM = 50;
const MAX_WORKERS = 64;
const DEFAULT_MAX_ROOMS = 1000;
export const DEFAULT_MESH_MAX = 6;

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Flags that take a value, by name. */
export const valueFlags = <const N extends string>(...names: N[]) => Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>;

/** The flags of every command that runs a server with a relay node: `confab` and `confab relay`. */
export const SERVER_FLAGS = {
  ...valueFlags('host', 'port', 'tls-cert', 'tls-key', 'data-dir', 'public-ip', 'udp-port', 'mesh-max', 'log-level'),
  https: { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies FlagOptions;

/** Strict flags, no positionals; a mistake is a ConfigError. */
export function parseFlags<const O extends FlagOptions>(argv: string[], options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // Node appends advice about positionals ("…after '--'") that only confuses here.
    throw new ConfigError((err as Error).message.split('. ')[0]!);
  }
}

/** What SERVER_FLAGS set, read and checked the same way for every command. */
export function serverSettings(setting: (flag: keyof typeof SERVER_FLAGS, envName: string) => [string, string] | undefined, https: boolean | undefined, env: NodeJS.ProcessEnv) {
  const logLevel = setting('log-level', 'CONFAB_LOG_LEVEL');
  if (logLevel && !isLogLevel(logLevel[0])) throw new ConfigError(`${logLevel[1]} must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel[0]}"`);
  const tlsCert = setting('tls-cert', 'CONFAB_TLS_CERT')?.[0];
  const tlsKey = setting('tls-key', 'CONFAB_TLS_KEY')?.[0];
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new ConfigError('--tls-cert and --tls-key go together');
  const port = setting('port', 'CONFAB_PORT');
  const publicIp = setting('public-ip', 'CONFAB_PUBLIC_IP');
  const udpPort = setting('udp-port', 'CONFAB_UDP_PORT');
  return {
    host: setting('host', 'CONFAB_HOST')?.[0] ?? '127.0.0.1',
    port: port ? integer(port, 0, 65535) : 8080,
    https: https ?? ['1', 'true'].includes(env.CONFAB_HTTPS ?? ''),
    ...(tlsCert && tlsKey ? { tlsCert, tlsKey } : {}),
    ...(publicIp ? { publicIp: ipAddress(publicIp) } : {}),
    ...(udpPort ? { udpPort: integer(udpPort, 1, 65535) } : {}),
    logLevel: (logLevel?.[0] as LogLevel | undefined) ?? 'info',
  };
}

/** `null` means --help was asked for. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config | null {
  const values = parseFlags(argv, {
    ...SERVER_FLAGS,
    ...valueFlags('static', 'tls', 'ice-servers', 'max-peers-per-room', 'max-rooms', 'max-rooms-per-address', 'redis', 'workers'),
  });
  if (values.help) return null;
  const setting = settingReader(values, env);
  const server = serverSettings(setting, values.https, env);
  const { https, tlsCert } = server;
  const ice = setting('ice-servers', 'CONFAB_ICE_SERVERS');
  const tls = setting('tls', 'CONFAB_TLS');
  const redis = setting('redis', 'CONFAB_REDIS_URL');
  if (redis && !/^rediss?:\/\/[^\s]+$/.test(redis[0])) throw new ConfigError(`${redis[1]} must be a redis:// or rediss:// URL, like redis://127.0.0.1:6379`);
  const workersSetting = setting('workers', 'CONFAB_WORKERS');
  const workers = workersSetting?.[0] === 'auto' ? availableParallelism() : workersSetting ? integer(workersSetting, 1, MAX_WORKERS) : 1;
  if (workers > 1 && !redis) throw new ConfigError(`${workersSetting![1]} ${workersSetting![0]} needs --redis: the workers share rooms through Redis (DEPLOY.md, "Many nodes on Redis")`);
  if (tls && tls[0] !== 'off') throw new ConfigError(`${tls[1]} takes only "off" (plain HTTP behind a TLS proxy), not "${tls[0]}"`);
  if (tls && (https || tlsCert)) throw new ConfigError(`${tls[1]} off serves plain HTTP: it does not go with --https or --tls-cert`);
  return {
    ...server,
    staticDir: setting('static', 'CONFAB_STATIC')?.[0] ?? fileURLToPath(new URL('../dist', import.meta.url)),
    tlsOff: tls !== undefined,
    // systemd's StateDirectory= sets STATE_DIRECTORY (a list, ':'-separated): the unit needs no more.
    dataDir: setting('data-dir', 'CONFAB_DATA_DIR')?.[0] ?? env.STATE_DIRECTORY?.split(':')[0] ?? join(homedir(), '.confab'),
    iceServers: ice ? iceServers(ice) : [],
    maxPeersPerRoom: integerSetting(setting('max-peers-per-room', 'CONFAB_MAX_PEERS_PER_ROOM'), 2, DEFAULT_MAX_PEERS_PER_ROOM),
    maxRooms: integerSetting(setting('max-rooms', 'CONFAB_MAX_ROOMS'), 1, DEFAULT_MAX_ROOMS),
    maxRoomsPerAddress: integerSetting(setting('max-rooms-per-address', 'CONFAB_MAX_ROOMS_PER_ADDRESS'), 1, SIGNALING_LIMITS.maxRoomsPerAddress),
    meshMax: integerSetting(setting('mesh-max', 'CONFAB_MESH_MAX'), 1, DEFAULT_MESH_MAX),
    ...(redis ? { redisUrl: redis[0] } : {}),
    workers,
  };
}

/**
 * Reads one setting: the flag, else its variable; an empty variable counts as unset
 * (`CONFAB_HOST= confab`). Gives the value and where it came from, for error messages.
 */
export function settingReader<V extends Record<string, unknown>>(values: V, env: NodeJS.ProcessEnv) {
  return (flag: keyof V & string, envName: string): [string, string] | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return [fromFlag, `--${flag}`];
    const fromEnv = env[envName];
    return fromEnv ? [fromEnv, envName] : undefined;
  };
}

const MAX_LIMIT = 1_000_000;

function integerSetting(found: [string, string] | undefined, min: number, fallback: number): number {
  return found ? integer(found, min, MAX_LIMIT) : fallback;
}

export function integer([text, source]: [string, string], min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new ConfigError(`${source} must be a number from ${min} to ${max}, not "${text}"`);
  return n;
}

function iceServers([text, source]: [string, string]): IceServer[] {
  try {
    return parseIceServers(text);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
}

export function ipAddress([text, source]: [string, string]): string {
  if (isIP(text) === 0 || text === '0.0.0.0' || text === '::') {
    throw new ConfigError(`${source} must be an IPv4 or IPv6 address, like 203.0.113.7, not "${text}"`);
  }
  return text;
}
