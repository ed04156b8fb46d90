import WebSocket from 'ws';
import { startRedis } from '../support/redis-process';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { loadLine } from './proc-stats';

/**
 * Cluster section of `npm run bench` (BENCH_SECTIONS=cluster): two nodes on a real
 * redis-server. Latency of a signaling frame to a subscriber on the same node and on the other
 * node (the Redis hop), and the frames/s the other node delivers while PUBLISHERS sockets each
 * publish at just under the per-socket rate limit.
 */
const LATENCY_SAMPLES = 400;
const PUBLISHERS = 40;
const PUBLISH_PER_SOCKET_PER_S = 45;
const THROUGHPUT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function socket(node: RelayProcess, topics: string[] = []): Promise<WebSocket> {
  const ws = new WebSocket(new URL('/signal', node.url.replace('http', 'ws')));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  if (topics.length > 0) ws.send(JSON.stringify({ type: 'subscribe', topics }));
  return ws;
}

export async function clusterBench(): Promise<void> {
  const redis = await startRedis();
  // The compiled server (npm run bench builds it): what a deployment runs, and it starts faster than tsx.
  const [n1, n2] = await Promise.all([0, 1].map(() => startRelay({ command: [process.execPath, 'bin/confab.js'], args: ['--redis', redis.url] })));
  try {
    const sender = await socket(n1!);
    const near = await socket(n1!, ['bench']);
    const far = await socket(n2!, ['bench']);
    await sleep(500);
    const sentAt = new Map<number, number>();
    const latency = { near: [] as number[], far: [] as number[] };
    for (const [ws, into] of [[near, latency.near], [far, latency.far]] as const) {
      ws.on('message', (m) => {
        const f = JSON.parse(m.toString()) as { type: string; data?: string };
        const t0 = f.type === 'publish' ? sentAt.get(Number(f.data)) : undefined;
        if (t0 !== undefined) into.push(performance.now() - t0);
      });
    }
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      sentAt.set(i, performance.now());
      sender.send(JSON.stringify({ type: 'publish', topic: 'bench', data: String(i) }));
      await sleep(25); // under the 50 frames/s a socket may send
    }
    await sleep(1_000);

    const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, () => socket(n1!)));
    let delivered = 0;
    let deliveredNear = 0;
    far.removeAllListeners('message');
    far.on('message', () => delivered++);
    near.removeAllListeners('message');
    near.on('message', () => deliveredNear++);
    const startMs = performance.now();
    const timers = publishers.map((ws) => setInterval(() => ws.send(JSON.stringify({ type: 'publish', topic: 'bench', data: 'x'.repeat(200) })), 1000 / PUBLISH_PER_SOCKET_PER_S));
    await sleep(THROUGHPUT_MS);
    for (const t of timers) clearInterval(t);
    await sleep(500);
    const seconds = (performance.now() - startMs) / 1000;

    console.log(`\nConfab bench — cluster (2 nodes, one redis-server, loopback), ${loadLine()}`);
    console.table({
      'same node': { p50Ms: pct(latency.near, 50).toFixed(2), p95Ms: pct(latency.near, 95).toFixed(2), received: latency.near.length },
      'other node (Redis hop)': { p50Ms: pct(latency.far, 50).toFixed(2), p95Ms: pct(latency.far, 95).toFixed(2), received: latency.far.length },
    });
    const extra = (p: number) => pct(latency.far, p) - pct(latency.near, p);
    console.log(`the Redis hop adds p50 ${extra(50).toFixed(2)} ms, p95 ${extra(95).toFixed(2)} ms to a signaling frame between pages on two nodes (${(pct(latency.far, 50) / pct(latency.near, 50)).toFixed(1)}× the same-node p50)`);
    console.log(
      `delivery to one subscriber from ${PUBLISHERS} sockets on node 1 offering ${PUBLISHERS * PUBLISH_PER_SOCKET_PER_S} frames/s: ` +
        `same node ${(deliveredNear / seconds).toFixed(0)}/s, other node ${(delivered / seconds).toFixed(0)}/s`,
    );
    for (const ws of [sender, near, far, ...publishers]) ws.close();
  } finally {
    await Promise.all([n1?.stop(), n2?.stop()]);
    await redis.stop();
  }
}
