import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config';
import type { Logger } from './log';

/**
 * `confab --workers N --redis URL`: N processes on one box, one a core, as one server. The
 * primary only forks and watches; each worker is a whole Confab node (signaling, relay node,
 * static files) on the one `--port`, which node:cluster hands out connection by connection.
 * The workers find each other the way nodes on several boxes do, through Redis
 * (relay/cluster/): a page's signaling reaches every peer of its room whichever worker holds
 * its socket, and a room's relay lives on one worker, which the others reach on its private
 * port (server.ts `privatePort`). A worker that dies is started again; its relay rooms are
 * placed again when their pages reconnect, as for a dead node.
 */

/** In a worker: which one (0 … N−1), from the environment the primary forked it with. */
export const WORKER_INDEX_VARIABLE = 'CONFAB_WORKER_INDEX';

/** What a worker tells the primary once it listens. */
export interface WorkerListening {
  type: 'confab-listening';
  url: string;
  port: number;
}

const RESTART_DELAY_MS = 1_000;
/** A restarted worker that dies before it listens is tried again more slowly, so a crash loop does not spin. */
const SLOW_RESTART_DELAY_MS = 10_000;
const SHUTDOWN_GRACE_MS = 3_000;

export function workerIndex(env: NodeJS.ProcessEnv = process.env): number | null {
  if (!cluster.isWorker) return null;
  const index = Number(env[WORKER_INDEX_VARIABLE]);
  return Number.isInteger(index) && index >= 0 ? index : null;
}

/** A worker's own settings: with --udp-port P, worker i carries its media on P+i (each relay node binds its own). */
export function workerConfig<C extends Pick<Config, 'udpPort'>>(config: C, index: number): C {
  return config.udpPort ? { ...config, udpPort: config.udpPort + index } : config;
}

/** In a worker, once listening: tell the primary (it prints the banner for all of them). */
export function reportListening(url: string, port: number): void {
  process.send?.({ type: 'confab-listening', url, port } satisfies WorkerListening);
}

export interface WorkerPool {
  /** The URL and port of the workers once every one of them listens; rejects if one dies before that. */
  ready: Promise<{ url: string; port: number }>;
  pids(): number[];
  /** SIGTERM to every worker (each closes its sockets and leaves Redis), SIGKILL to any still there after a grace. */
  stop(): Promise<void>;
}

/** The primary: forks `count` workers, then restarts whichever dies until `stop()`. */
export function startWorkers(count: number, log: Logger): WorkerPool {
  const workers = new Map<number, Worker>();
  let stopping = false;
  let started = false;
  let resolveReady!: (v: { url: string; port: number }) => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // the caller awaits it; a stop during start leaves it pending
  const listening = new Map<number, WorkerListening>();

  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) });
    let up = false;
    workers.set(index, worker);
    // A worker gone before its messages were read (a stop during start): nothing to tell.
    worker.on('error', (err: Error) => log.debug('worker channel', { worker: index, error: err.message }));
    worker.on('message', (message: WorkerListening) => {
      if (message?.type !== 'confab-listening') return;
      up = true;
      log.info('worker listening', { worker: index, pid: worker.process.pid });
      listening.set(index, message);
      if (!started && listening.size === count) {
        started = true;
        resolveReady({ url: listening.get(0)!.url, port: listening.get(0)!.port });
      }
    });
    worker.on('exit', (code, signal) => {
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) return;
      if (!started) {
        // It said why on stderr (shared with ours): Redis unreachable, port taken…
        stopping = true;
        for (const w of workers.values()) w.process.kill('SIGTERM');
        rejectReady(new Error(`worker ${index} exited before listening (${signal ?? `code ${code}`})`));
        return;
      }
      const delayMs = up ? RESTART_DELAY_MS : SLOW_RESTART_DELAY_MS;
      log.warn('worker died; starting it again', { worker: index, pid: worker.process.pid, code, signal, inMs: delayMs });
      setTimeout(() => stopping || fork(index), delayMs).unref();
    });
  };
  for (let i = 0; i < count; i++) fork(i);

  return {
    ready,
    pids: () => [...workers.values()].flatMap((w) => (w.process.pid ? [w.process.pid] : [])),
    async stop() {
      stopping = true;
      await Promise.all(
        [...workers.values()].map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve();
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
              setTimeout(() => w.process.kill('SIGKILL'), SHUTDOWN_GRACE_MS).unref();
            }),
        ),
      );
    },
  };
}
