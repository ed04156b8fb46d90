import { RelayPresenceSigner } from '../../crdt/identity/relay-presence-auth';
import { deriveRoomKeys } from '../../crdt/identity/room-keys';
import { fail, tlsFor } from '../cli-support';
import { ConfigError } from '../config';
import { createLogger } from '../log';
import { lanAddresses } from '../tls';
import { defaultPublicUrl, parseRelayJoinConfig, RELAY_USAGE } from './join-config';
import { startRelayServer } from './relay-server';
import { loadOrCreateRelayKey } from './relay-key';
import { RoomPresence } from './room-presence';
import { SignalingSocket } from './signaling-socket';

const SHUTDOWN_GRACE_MS = 2_000;
/** A full room (or server) refused us: ask again this much later. */
const REFUSED_RETRY_MS = 15_000;

/**
 * `confab relay --join '<invite link>'`: a relay node that joins one room as a participant
 * that forwards (design principle 5). It listens for the room's people at /relay and announces
 * itself in the room through the room's own signaling relay.
 */
export async function runRelayJoin(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseRelayJoinConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2, 'confab relay --help');
    throw err;
  }
  if (!config) {
    process.stdout.write(`${RELAY_USAGE}\n`);
    return;
  }
  if (config.invite.hostLink) process.stderr.write('confab: that is a host link; a relay needs only the invite link (the host key is ignored)\n');
  const log = createLogger(config.logLevel);
  const tls = await tlsFor(config);
  const keys = await deriveRoomKeys(config.invite.link);
  let server;
  try {
    server = await startRelayServer({
      host: config.host,
      port: config.port,
      ...(tls ? { tls } : {}),
      ...(config.publicIp ? { publicIp: config.publicIp } : {}),
      ...(config.udpPort ? { udpPort: config.udpPort } : {}),
      joinedRoom: { topic: keys.roomTopic, access: keys.relayAccess },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`Port ${config.port} is already in use — pass --port to pick another`, 1);
    if (code === 'EADDRNOTAVAIL') fail(`This machine has no address ${config.host} — pass --host to pick another`, 1);
    fail(`could not start: ${(err as Error).message}`, 1);
  }
  const publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, server.port, tls !== null, lanAddresses());
  const relayKey = await loadOrCreateRelayKey(config.dataDir).catch((err: unknown) => fail(`could not read the relay key: ${(err as Error).message}`, 1));
  if (!relayKey.path) process.stderr.write(`confab: could not keep the relay key in ${config.dataDir}; using one for this run only (the room will see a new relay id after a restart)\n`);
  const signer = await RelayPresenceSigner.create(config.invite.link.roomId, relayKey.identity, publicUrl, config.meshMax);
  const { announcement } = signer;
  const signalingUrl = config.invite.signalingUrl;

  process.stdout.write(`Confab relay node listening at ${server.url}, announced to the room as ${announcement.url}\n`);
  log.info('listening', { url: server.url, announced: announcement.url, id: announcement.id, key: relayKey.path ?? 'ephemeral', signaling: signalingUrl, meshMax: config.meshMax });

  const presence = new RoomPresence(keys, signer, {
    publish: (topic, data) => socket.send({ type: 'publish', topic, data }),
  });
  let joinedOnce = false;
  /** Subscribed and pinged: a pong with no refusal before it means we are in. */
  let awaitingJoin = false;
  let outage = false;
  const socket: SignalingSocket = new SignalingSocket({
    url: signalingUrl,
    topics: [keys.roomTopic],
    onOpen: () => {
      awaitingJoin = true;
      void presence.announce();
      void socket.send({ type: 'ping' });
    },
    onFrame: (frame) => {
      if (frame.type === 'publish') void presence.receive(frame.topic, frame.data).catch((err: unknown) => log.warn('signal handling failed', { error: String(err) }));
      else if (frame.type === 'refused' && frame.topic === keys.roomTopic) {
        awaitingJoin = false;
        process.stderr.write(`confab: the room's signaling relay refused us (${frame.reason}, limit ${frame.limit}); asking again in ${REFUSED_RETRY_MS / 1000} s\n`);
        socket.redial(REFUSED_RETRY_MS);
      } else if (frame.type === 'pong' && awaitingJoin) {
        awaitingJoin = false;
        outage = false;
        if (!joinedOnce) process.stdout.write(`Joined the room through ${signalingUrl} as relay ${announcement.id}\n`);
        else log.info('rejoined the room', { signaling: signalingUrl });
        joinedOnce = true;
      }
    },
    onDown: (reason, retryInMs) => {
      awaitingJoin = false;
      if (!outage) process.stderr.write(`confab: cannot reach the room's signaling relay at ${signalingUrl}: ${reason}; retrying (people already using this relay keep their media)\n`);
      outage = true;
      log.debug('signaling down', { reason, retryInMs });
    },
  });

  const stop = async (signal: NodeJS.Signals) => {
    log.info('shutting down', { signal });
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    // Goodbye first, while the socket is up: peers move off us at once.
    if (socket.open) await presence.goodbye();
    presence.stop();
    socket.close();
    await server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

}
