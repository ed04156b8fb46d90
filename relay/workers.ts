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

/**
 * The primary: forks `count` workers, resolves with the first one's URL once every worker
 * listens (rejects if one dies before that), then restarts whichever dies until `stop()`.
 */
export function startWorkers(count: number, log: Logger): Promise<{ url: string; port: number; pids(): number[]; stop(): Promise<void> }> {
  const workers = new Map<number, Worker>();
  let stopping = false;
  let started = false;

  return new Promise((resolve, reject) => {
    const ready = new Map<number, WorkerListening>();
    const fork = (index: number) => {
      const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) });
      let listening = false;
      workers.set(index, worker);
      worker.on('message', (message: WorkerListening) => {
        if (message?.type !== 'confab-listening') return;
        listening = true;
        log.info('worker listening', { worker: index, pid: worker.process.pid });
        ready.set(index, message);
        if (!started && ready.size === count) {
          started = true;
          const first = ready.get(0)!;
          resolve({ url: first.url, port: first.port, pids: () => [...workers.values()].flatMap((w) => (w.process.pid ? [w.process.pid] : [])), stop });
        }
      });
      worker.on('exit', (code, signal) => {
        if (workers.get(index) === worker) workers.delete(index);
        if (stopping) return;
        if (!started) {
          // It said why on stderr (shared with ours): Redis unreachable, port taken…
          stopping = true;
          for (const w of workers.values()) w.process.kill('SIGTERM');
          reject(new Error(`worker ${index} exited before listening (${signal ?? `code ${code}`})`));
          return;
        }
        const delayMs = listening ? RESTART_DELAY_MS : SLOW_RESTART_DELAY_MS;
        log.warn('worker died; starting it again', { worker: index, pid: worker.process.pid, code, signal, inMs: delayMs });
        setTimeout(() => stopping || fork(index), delayMs).unref();
      });
    };
    for (let i = 0; i < count; i++) fork(i);
  });

  /** SIGTERM to every worker (each closes its sockets and leaves Redis), SIGKILL to any still there after the grace. */
  async function stop(): Promise<void> {
    stopping = true;
    const left = [...workers.values()];
    await Promise.all(
      left.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
            setTimeout(() => w.process.kill('SIGKILL'), SHUTDOWN_GRACE_MS).unref();
          }),
      ),
    );
  }
}
