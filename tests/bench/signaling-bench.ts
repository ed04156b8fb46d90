import WebSocket from 'ws';
import { startRelay } from '../support/relay-process';
import { sleep } from '../support/wait';
import { percentile } from './client-bench';
import { loadLine, processCpuUs, rssBytes } from './proc-stats';

/**
 * Signaling section of `npm run bench` (BENCH_SECTIONS=signaling): one node (the compiled
 * server, no Redis). First the sockets it holds: SOCKETS idle sockets, each subscribed to its
 * own topic and to a room topic (rooms of ROOM_SIZE), as pages in a call are; the node's RSS
 * per socket. Then, with all of them still open, room broadcasts at rising rates (publishers at
 * 40 frames/s each, under the 50/s a socket may send): the frames/s delivered, the node's CPU
 * per frame, and the delay from publish to delivery. The bench process is the load generator
 * on the same cores, so the node's CPU per frame is the figure that carries to other boxes.
 * The per-network limit (256 sockets) is met by connecting from many loopback addresses
 * (127.0.0.2, .3, …: one network each).
 */
const SOCKETS = Number(process.env.BENCH_SIGNAL_SOCKETS ?? 10_000);
const ROOM_SIZE = 10;
const PER_ADDRESS = 250;
const PER_SOCKET_PER_S = 40;
const PAYLOAD_CHARS = 300; // a sealed ICE candidate; an SDP is a few KiB
const STEPS = (process.env.BENCH_SIGNAL_STEPS ?? '1000,2000,4000,8000,12000').split(',').map(Number);
const STEP_MS = 5_000;

interface Step {
  offeredInPerS: number;
  inPerS: number;
  outPerS: number;
  deliveredPct: number;
  nodeCorePct: number;
  nodeUsPerFrameOut: number;
  p50Ms: number;
  p95Ms: number;
}

export async function signalingBench(): Promise<void> {
  const node = await startRelay({
    command: [process.execPath, 'bin/confab.js'],
    args: ['--max-rooms', '1000000', '--max-rooms-per-address', '1000000', '--log-level', 'warn'],
  });
  const pid = node.process.pid!;
  const url = new URL('/signal', node.url.replace('http', 'ws')).href;
  const sockets: WebSocket[] = [];
  try {
    await sleep(1_000);
    const rssBefore = rssBytes(pid);
    const cpuBefore = processCpuUs(pid);
    const t0 = performance.now();
    for (let i = 0; i < SOCKETS; i += 200) {
      const batch = Array.from({ length: Math.min(200, SOCKETS - i) }, (_, k) => i + k);
      await Promise.all(
        batch.map(async (n) => {
          const a = Math.floor(n / PER_ADDRESS);
          const ws = new WebSocket(url, { localAddress: `127.0.${Math.floor(a / 250)}.${2 + (a % 250)}`, perMessageDeflate: false });
          await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
          ws.send(JSON.stringify({ type: 'subscribe', topics: [`room-${Math.floor(n / ROOM_SIZE)}`, `peer-${n}`] }));
          sockets[n] = ws;
        }),
      );
    }
    const openMs = performance.now() - t0;
    await sleep(3_000);
    const held = Number(/^confab_signaling_sockets (\d+)$/m.exec(await (await fetch(new URL('/metrics', node.url))).text())?.[1]);
    const rssHeld = rssBytes(pid);
    const idleCpu0 = processCpuUs(pid);
    await sleep(5_000);
    const idleCorePct = (processCpuUs(pid) - idleCpu0) / 5e6 * 100;
    const perSocketKB = (rssHeld - rssBefore) / SOCKETS / 1024;
    const openCpuUs = idleCpu0 - cpuBefore;

    // Counting: every receiver counts; one socket a room also times what it receives.
    const sentAt = new Float64Array(1 << 20);
    let received = 0;
    const delays: number[] = [];
    sockets.forEach((ws, n) => {
      const timed = n % ROOM_SIZE === 1;
      ws.on('message', (m: Buffer) => {
        received++;
        if (!timed) return;
        const seq = /"data":"(\d+):/.exec(m.toString('latin1', 0, 200))?.[1];
        if (seq !== undefined) delays.push(performance.now() - sentAt[Number(seq) & 0xfffff]!);
      });
    });
    const pad = 'x'.repeat(PAYLOAD_CHARS);
    let seq = 0;
    const steps: Step[] = [];
    for (const offered of STEPS) {
      const publishers = Math.min(SOCKETS, Math.round(offered / PER_SOCKET_PER_S));
      // Spread over the rooms: publisher k is the first member of room k (then the second…).
      const order = Array.from({ length: publishers }, (_, k) => (k % (SOCKETS / ROOM_SIZE)) * ROOM_SIZE + Math.floor(k / (SOCKETS / ROOM_SIZE)));
      received = 0;
      delays.length = 0;
      let sent = 0;
      const c0 = processCpuUs(pid);
      const w0 = performance.now();
      let rounds = 0;
      const timer = setInterval(() => {
        // Rounds due by the clock, not one a tick: a late timer (a busy box) catches up, within a socket's burst.
        const due = Math.min(5, Math.floor(((performance.now() - w0) * PER_SOCKET_PER_S) / 1000) - rounds);
        for (let r = 0; r < due; r++, rounds++) {
          for (const n of order) {
            const s = seq++;
            sentAt[s & 0xfffff] = performance.now();
            sockets[n]!.send(`{"type":"publish","topic":"room-${Math.floor(n / ROOM_SIZE)}","data":"${s}:${pad}"}`);
            sent++;
          }
        }
      }, 1000 / PER_SOCKET_PER_S);
      await sleep(STEP_MS);
      clearInterval(timer);
      await sleep(500); // the last frames arrive
      const seconds = (performance.now() - w0) / 1000;
      const cpuUs = processCpuUs(pid) - c0;
      const expected = sent * (ROOM_SIZE - 1);
      steps.push({
        offeredInPerS: offered,
        inPerS: sent / seconds,
        outPerS: received / seconds,
        deliveredPct: (100 * received) / expected,
        nodeCorePct: cpuUs / seconds / 1e4,
        nodeUsPerFrameOut: cpuUs / received,
        p50Ms: percentile(delays, 50),
        p95Ms: percentile(delays, 95),
      });
      await sleep(1_000);
    }

    console.log(`\nConfab bench — signaling, one node (compiled server), ${loadLine()}\n`);
    console.log(
      `sockets held: ${held} of ${SOCKETS} (each in a room of ${ROOM_SIZE} + its own topic, from ${Math.ceil(SOCKETS / PER_ADDRESS)} loopback addresses); ` +
        `opened in ${(openMs / 1000).toFixed(1)} s (${(openCpuUs / SOCKETS).toFixed(0)} µs of node CPU each); node RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssHeld / 2 ** 20).toFixed(0)} MB ` +
        `= ${perSocketKB.toFixed(1)} KiB a socket (≈ ${Math.floor((2 ** 20 / perSocketKB) / 1000)}k sockets a GiB); idle CPU with them all ${idleCorePct.toFixed(1)} % of a core`,
    );
    console.table(
      Object.fromEntries(
        steps.map((s) => [
          `${s.offeredInPerS} in/s offered`,
          {
            'frames in/s': s.inPerS.toFixed(0),
            'frames out/s': s.outPerS.toFixed(0),
            'delivered %': s.deliveredPct.toFixed(1),
            'node CPU %core': s.nodeCorePct.toFixed(0),
            'node µs/frame out': s.nodeUsPerFrameOut.toFixed(1),
            'publish→deliver p50/p95 ms': `${s.p50Ms.toFixed(1)}/${s.p95Ms.toFixed(1)}`,
          },
        ]),
      ),
    );
    const sustained = steps.filter((s) => s.deliveredPct >= 99 && s.p95Ms < 100).at(-1);
    const usPerFrame = percentile(steps.map((s) => s.nodeUsPerFrameOut), 50);
    console.log(
      `room broadcasts (1 in → ${ROOM_SIZE - 1} out, ${PAYLOAD_CHARS}-character payloads): sustained here ${sustained ? `${sustained.outPerS.toFixed(0)} frames out/s (${sustained.inPerS.toFixed(0)} in/s)` : 'none of the steps'} ` +
        `with ≥ 99 % delivered and p95 < 100 ms, load generator on the same 2 cores; node CPU ${usPerFrame.toFixed(1)} µs a delivered frame ` +
        `(median of the steps) ≈ ${(1e6 / usPerFrame / 1000).toFixed(0)}k frames out/s for one core of signaling.`,
    );
  } finally {
    for (const ws of sockets) ws?.terminate();
    await node.stop();
  }
}
