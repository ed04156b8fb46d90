import { spawn, type ChildProcess } from 'node:child_process';
import type { RelayAccess } from '../../crdt/identity/relay-access';
import { repoRoot } from '../support/relay-process';
import type { ForwardingSnapshot } from '../../relay/sfu/stats';
import { Bot, newBotIdentity } from './bot';
import type { Recording } from './recording';
import type { SealedRecording } from './sealed-recording';
import { prng } from '../support/prng';

export interface RelayNodeStats extends ForwardingSnapshot {
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  rooms: number;
  participants: number;
  /** Control sockets and node-datachannel connections not yet closed. */
  sessions: number;
  peerConnections: number;
  heapUsedBytes: number;
  /** V8's committed heap; memory outside it that V8 knows of (Buffers); committed bytes per heap space. */
  heapTotalBytes: number;
  externalBytes: number;
  arrayBufferBytes: number;
  heapSpaceBytes: Record<string, number>;
  /** process.getActiveResourcesInfo() by type (Timeout, TCPSocketWrap…). */
  activeResources: Record<string, number>;
  callbackErrors: number;
  lastCallbackError: string;
}

export interface RelayNode {
  httpUrl: string;
  controlUrl: string;
  process: ChildProcess;
  stats(reset?: boolean): Promise<RelayNodeStats>;
  stop(): Promise<void>;
}

/** Starts the relay node's media plane as its own process on 127.0.0.1 and a free port. */
export async function startRelayNode(opts: { args?: string[]; nodeArgs?: string[] } = {}): Promise<RelayNode> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'relay/sfu/main.ts', '--port', '0', '--exit-with-stdin', ...(opts.args ?? [])], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    // The allocator setup a user's `confab` gets (no MALLOC_* tuning): the soak measures that.
    env: process.env,
  });
  let output = '';
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay node did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening at (http\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.CONFAB_NDC_LOG) process.stderr.write(chunk);
    });
    child.once('exit', (code) => reject(new Error(`relay node exited with ${code}:\n${output}`)));
  });
  return {
    httpUrl,
    controlUrl: `${httpUrl.replace(/^http/, 'ws')}relay`,
    process: child,
    async stats(reset = false) {
      // gc=1 collects first when the node runs with --expose-gc: RSS and heap then show what is retained.
      const res = await fetch(`${httpUrl}stats?gc=1${reset ? '&reset=1' : ''}`);
      return (await res.json()) as RelayNodeStats;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface RoomOfBots {
  bots: Bot[];
  /** Packets all bots sent so far. */
  packetsSent(): number;
  stop(): void;
}

/**
 * Starts `count` bots in one room (a few at a time) and pumps their recorded media every 5 ms.
 * `audioLevel(i)` gives bot i's voice level (0 loudest … 127 silence).
 */
export async function startBots(
  relay: Pick<RelayNode, 'controlUrl'>,
  /** One recording for all, sent as recorded or sealed by each bot under its own sender key (sealed-recording.ts). */
  media: Recording | SealedRecording,
  count: number,
  /** `room`: the opaque room key bots say hello with (a browser room's signaling topic, to join one). */
  opts: {
    videoSlots: number;
    audioSlots: number;
    audioLevel: (i: number) => number;
    seed?: number;
    room?: string;
    startBatch?: number;
    keepCandidate?: (line: string) => boolean;
    roomChannel?: boolean;
    /** What their hellos show of the room link (a browser room's, to join one). */
    access?: RelayAccess;
  },
): Promise<RoomOfBots> {
  const random = prng(opts.seed ?? 1);
  const identities = await Promise.all(Array.from({ length: count }, () => newBotIdentity()));
  const ids = identities.map((i) => i.id);
  const sealed = 'sealerFor' in media ? media : undefined;
  const recording = sealed ? sealed.recording : (media as Recording);
  const bots = identities.map(
    (identity, index) =>
      new Bot({
        controlUrl: relay.controlUrl,
        identity,
        room: opts.room ?? 'load-room',
        index,
        recording,
        ...(sealed ? { sealer: sealed.sealerFor(identity.id, ids) } : {}),
        videoSlots: opts.videoSlots,
        audioSlots: opts.audioSlots,
        audioLevel: opts.audioLevel(index),
        random,
        ...(opts.keepCandidate ? { keepCandidate: opts.keepCandidate } : {}),
        roomChannel: opts.roomChannel ?? false,
        ...(opts.access ? { access: opts.access } : {}),
      }),
  );
  const pump = setInterval(() => {
    const now = performance.now();
    for (const bot of bots) bot.pump(now);
  }, 5);
  const stop = () => {
    clearInterval(pump);
    for (const bot of bots) bot.close();
  };
  try {
    const batch = opts.startBatch ?? 5;
    for (let i = 0; i < bots.length; i += batch) await Promise.all(bots.slice(i, i + batch).map((b) => b.start()));
  } catch (err) {
    stop();
    throw err;
  }
  return { bots, packetsSent: () => bots.reduce((n, b) => n + b.packetsSent(), 0), stop };
}

/** The bench's and load test's viewing pattern: bot i shows bot i+1 large (high) and the next ones as thumbnails (low). */
export function tilePlan(i: number, count: number, tiles: number): { publisher: number; layer: 'low' | 'high' }[] {
  const shown = Math.min(tiles, count - 1);
  return Array.from({ length: shown }, (_, k) => ({ publisher: (i + 1 + k) % count, layer: k === 0 ? 'high' : 'low' }));
}
