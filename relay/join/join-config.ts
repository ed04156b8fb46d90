import { homedir } from 'node:os';
import { join } from 'node:path';
import { relayControlUrl } from '../../crdt/protocol/relay-presence';
import { parseInviteLink, type InviteLink } from '../../crdt/identity/room-link';
import { ConfigError, DEFAULT_MESH_MAX, integer, parseFlags, SERVER_FLAGS, serverSettings, settingReader, valueFlags } from '../config';
import { LOG_LEVELS, type LogLevel } from '../log';

export const RELAY_USAGE = `Usage: confab relay --join '<invite link>' [options]

Runs a relay node alone (the media plane only: no web client, no signaling) and joins it to the
room of the invite link, from any machine that can reach that room's signaling relay. The
people in the room then send their media through it instead of a full mesh when the room is
big, and fail over to another relay, or back to the mesh, if it goes away. Every option can also
be set by the environment variable named beside it (the flag wins).

  --join LINK        the room's invite link (env CONFAB_JOIN; prefer the variable on shared
                     machines: anyone who can list processes can read a command line, and the
                     link is the key to the room)
  --public-url URL   where browsers reach this relay, announced to the room (env
                     CONFAB_PUBLIC_URL), e.g. wss://relay.example:8443/relay or
                     https://relay.example:8443/ (…/relay is added). Default: the listening
                     address (the first LAN address when listening on 0.0.0.0)
  --host HOST        address to listen on (default 127.0.0.1; env CONFAB_HOST)
  --port PORT        port to listen on, 0 for any free one (default 8080; env CONFAB_PORT)
  --https            serve HTTPS (WSS) even on localhost (env CONFAB_HTTPS=1; automatic on any
                     other address)
  --tls-cert FILE    PEM certificate (env CONFAB_TLS_CERT) ...
  --tls-key FILE     ... and its key (env CONFAB_TLS_KEY). Without them a self-signed
                     certificate is made and kept in the data directory; browsers accept it
                     only after someone opens https://<this relay>/healthz once and accepts
                     the warning, so use a real certificate for relays on other hosts.
  --data-dir DIR     where that certificate and this relay's signing key are kept
                     (default ~/.confab; env CONFAB_DATA_DIR)
  --public-ip IP     this machine's public address behind a 1:1 NAT (env CONFAB_PUBLIC_IP):
                     media is offered at it too; forward --udp-port to it
  --udp-port PORT    all media on this one UDP port (env CONFAB_UDP_PORT; default a free
                     port per connection)
  --mesh-max N       rooms of up to N people stay a full mesh (default ${DEFAULT_MESH_MAX}; env
                     CONFAB_MESH_MAX); only used when the room's own server offers no relay
  --log-level LEVEL  ${LOG_LEVELS.join('|')} (default info; env CONFAB_LOG_LEVEL)
  --help             show this help

A signaling relay with a self-signed certificate (a LAN Confab): trust it with
NODE_EXTRA_CA_CERTS=<its confab-cert.pem>.`;

export interface RelayJoinConfig {
  invite: InviteLink;
  host: string;
  port: number;
  https: boolean;
  tlsCert?: string;
  tlsKey?: string;
  dataDir: string;
  /** What to announce; absent: the listening address, known once listening. */
  publicUrl?: string;
  publicIp?: string;
  udpPort?: number;
  meshMax: number;
  logLevel: LogLevel;
}

/** `confab relay …` (argv after `relay`); null means --help. Throws ConfigError (exit 2). */
export function parseRelayJoinConfig(argv: string[], env: NodeJS.ProcessEnv): RelayJoinConfig | null {
  const values = parseFlags(argv, { ...SERVER_FLAGS, ...valueFlags('join', 'public-url') });
  if (values.help) return null;
  const setting = settingReader(values, env);
  const joinLink = setting('join', 'CONFAB_JOIN');
  if (!joinLink) throw new ConfigError("confab relay needs the room: --join '<invite link>'");
  const invite = parseInviteLink(joinLink[0]);
  // Never echo the link: it is the room's key.
  if (!invite) throw new ConfigError(`${joinLink[1]} is not a Confab invite link (https://host/#<room id>.<secret>, as "Copy invite link" gives it)`);
  const publicUrl = setting('public-url', 'CONFAB_PUBLIC_URL');
  const server = serverSettings(setting, values.https, env);
  const meshMax = setting('mesh-max', 'CONFAB_MESH_MAX');
  return {
    invite,
    ...server,
    dataDir: setting('data-dir', 'CONFAB_DATA_DIR')?.[0] ?? join(homedir(), '.confab'),
    ...(publicUrl ? { publicUrl: announcedUrl(publicUrl) } : {}),
    meshMax: meshMax ? integer(meshMax, 1, 1_000) : DEFAULT_MESH_MAX,
  };
}

/** ws(s)://…/relay as given, or an http(s):// / ws(s):// base with `relay` added. */
function announcedUrl([text, source]: [string, string]): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url && !url.pathname.endsWith('/relay')) url.pathname = `${url.pathname.replace(/\/?$/, '/')}relay`;
  const checked = url && relayControlUrl(url.href);
  if (!checked) throw new ConfigError(`${source} must be a ws://, wss://, http:// or https:// address of this relay, like wss://relay.example:8443/relay, not "${text}"`);
  return checked;
}

/** The control URL to announce when --public-url is not given: the address we listen on. */
export function defaultPublicUrl(host: string, port: number, tls: boolean, lan: string[]): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const address = wildcard ? (lan[0] ?? '127.0.0.1') : host === 'localhost' ? '127.0.0.1' : host;
  const hostForUrl = address.includes(':') ? `[${address}]` : address;
  return `${tls ? 'wss' : 'ws'}://${hostForUrl}:${port}/relay`;
}
