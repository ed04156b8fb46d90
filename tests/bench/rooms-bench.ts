import { Redis } from 'ioredis';
import type { NodeReport } from '../../relay/cluster/placement';
import type { Bot } from '../load/bot';
import { startBots, tilePlan, type RoomOfBots } from '../load/harness';
import { loadRecording } from '../load/recording';
import { startRedis, type RedisProcess } from '../support/redis-process';
import { startRelay } from '../support/relay-process';
import { sleep } from '../support/wait';
import { childPids, loadLine, mainThreadCpuUs, processCpuUs, rssBytes } from './proc-stats';

/**
 * Rooms section of `npm run bench` (BENCH_SECTIONS=rooms): how many 50-person relay rooms one
 * Confab process carries before loss appears, and the same for two processes on this box
 * sharing a redis-server (`confab --workers 2 --redis …`, which places each room on the
 * less-loaded worker). Rooms are added one at a time and kept (bots: 3 layers + audio up; 9
 * low tiles, 1 high, the 3 loudest voices down, as in the relay section); after each, a window
 * of loss and CPU. The bots run in this process, on the same two cores: its CPU is printed too.
 */
const ROOM_SIZE = Number(process.env.BENCH_ROOMS_SIZE ?? 50);
const MAX_ROOMS = Number(process.env.BENCH_ROOMS_MAX ?? 6);
const LOSS_PCT = Number(process.env.BENCH_ROOMS_LOSS_PCT ?? 1);
const TILES = 10;
const WARMUP_MS = 5_000;
const WINDOW_MS = Number(process.env.BENCH_ROOMS_WINDOW_MS ?? 10_000);

interface RoomsStep {
  rooms: number;
  lossPct: number;
  /** Each relay process: all threads and the main (JavaScript) thread, % of a core. */
  processes: { corePct: number; jsCorePct: number; rssMB: number }[];
  /** Rooms on each worker, as the workers report them to Redis (two processes only). */
  placement: string;
  botsCorePct: number;
  /** RTP packets the bots sent (the relay's input) and received (its output), a second. */
  inPerS: number;
  outPerS: number;
  load: string;
}

function slotsOf(bots: Bot[]) {
  return bots.flatMap((b) => [...b.video, ...b.audio]);
}

/** Adds rooms until the loss in a window reaches LOSS_PCT (or MAX_ROOMS). */
async function ramp(workers: 1 | 2, redis: RedisProcess): Promise<RoomsStep[] & { notStarted?: string[] }> {
  const server = await startRelay({
    command: [process.execPath, 'bin/confab.js'],
    args: [...(workers > 1 ? ['--workers', String(workers), '--redis', redis.url] : []), '--log-level', 'warn'],
  });
  const pids = workers > 1 ? childPids(server.process.pid!) : [server.process.pid!];
  const controlUrl = new URL('/relay', server.url.replace('http', 'ws')).href;
  const recording = loadRecording();
  const rooms: RoomOfBots[] = [];
  const steps: RoomsStep[] = [];
  const notStarted: string[] = [];
  try {
    for (let k = 1; k <= MAX_ROOMS; k++) {
      const name = `bench-room-${k}`;
      let room: RoomOfBots;
      try {
        room = await startBots({ controlUrl: `${controlUrl}?room=${name}` }, recording, ROOM_SIZE, {
          room: name,
          seed: k,
          videoSlots: Math.min(TILES, ROOM_SIZE - 1),
          audioSlots: 3,
          audioLevel: (i) => (i < 3 ? 10 + 10 * i : 60 + (i % 30)),
        });
      } catch (err) {
        // Its bots could not connect in time (each tries 3 × 8 s): the box has no CPU left for another room.
        notStarted.push(`room ${k} could not start (${(err as Error).message.split(' (')[0]}), ${loadLine()}`);
        console.log(`rooms bench, ${workers} process${workers > 1 ? 'es' : ''}: ${notStarted.at(-1)}`);
        break;
      }
      rooms.push(room);
      room.bots.forEach((bot, i) => tilePlan(i, ROOM_SIZE, TILES).forEach((t, s) => bot.subscribe(s, room.bots[t.publisher]!.id, t.layer)));
      await sleep(WARMUP_MS);
      const all = rooms.flatMap((r) => slotsOf(r.bots));
      for (const s of all) s.resetWindow();
      const cpu0 = pids.map(processCpuUs);
      const js0 = pids.map(mainThreadCpuUs);
      const bots0 = process.cpuUsage();
      const sent0 = rooms.reduce((n, r) => n + r.packetsSent(), 0);
      const w0 = performance.now();
      await sleep(WINDOW_MS);
      const seconds = (performance.now() - w0) / 1000;
      const botsCpu = process.cpuUsage(bots0);
      const lost = all.reduce((n, s) => n + s.lost, 0);
      const got = all.reduce((n, s) => n + s.packets, 0);
      const placement = workers > 1 ? await roomsPerNode(redis) : '';
      steps.push({
        rooms: k,
        lossPct: (100 * lost) / Math.max(1, got + lost),
        processes: pids.map((pid, i) => ({
          corePct: (processCpuUs(pid) - cpu0[i]!) / seconds / 1e4,
          jsCorePct: (mainThreadCpuUs(pid) - js0[i]!) / seconds / 1e4,
          rssMB: rssBytes(pid) / 2 ** 20,
        })),
        placement,
        botsCorePct: (botsCpu.user + botsCpu.system) / seconds / 1e4,
        inPerS: (rooms.reduce((n, r) => n + r.packetsSent(), 0) - sent0) / seconds,
        outPerS: got / seconds,
        load: loadLine(),
      });
      const last = steps.at(-1)!;
      console.log(
        `rooms bench, ${workers} process${workers > 1 ? 'es' : ''}: ${k} room${k > 1 ? 's' : ''} of ${ROOM_SIZE}: loss ${last.lossPct.toFixed(2)} %, ` +
          `${last.placement ? `rooms per worker ${last.placement}, ` : ''}${(last.inPerS / 1000).toFixed(1)}k pkts/s in, ${(last.outPerS / 1000).toFixed(1)}k out, relay ${last.processes.map((p) => `${p.corePct.toFixed(0)} % (JS ${p.jsCorePct.toFixed(0)} %)`).join(' + ')} of a core, bots ${last.botsCorePct.toFixed(0)} %, ${last.load}`,
      );
      if (last.lossPct >= LOSS_PCT) break;
    }
  } finally {
    for (const r of rooms) r.stop();
    await sleep(500);
    await server.stop();
  }
  return Object.assign(steps, { notStarted });
}

/** "3+2": the relay rooms each live node reports (relay/cluster/placement.ts). */
async function roomsPerNode(redis: RedisProcess): Promise<string> {
  const client = new Redis(redis.url);
  try {
    const keys = await client.keys('confab:node:*');
    const reports = keys.length === 0 ? [] : await client.mget(keys);
    return reports.flatMap((r) => (r ? [(JSON.parse(r) as NodeReport).rooms.length] : [])).sort().join('+');
  } finally {
    client.disconnect();
  }
}

export async function roomsBench(): Promise<void> {
  const redis = await startRedis();
  try {
    const one = await ramp(1, redis);
    const two = await ramp(2, redis);
    const carried = (steps: RoomsStep[]) => steps.filter((s) => s.lossPct < LOSS_PCT).at(-1)?.rooms ?? 0;
    const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
    console.log(`\nConfab bench — ${ROOM_SIZE}-person relay rooms: one process vs two sharing Redis (${WINDOW_MS / 1000} s window after each room; bots in the bench process)\n`);
    const rows: Record<string, Record<string, string>> = {};
    for (let k = 1; k <= Math.max(one.length, two.length); k++) {
      const a = one[k - 1];
      const b = two[k - 1];
      rows[`${k} room${k > 1 ? 's' : ''}`] = {
        '1 proc: loss %': f(a?.lossPct, 2),
        '1 proc: kpkts/s in/out': a ? `${f(a.inPerS / 1000, 1)}/${f(a.outPerS / 1000, 1)}` : '–',
        '1 proc: relay %core (JS)': a ? `${f(a.processes[0]!.corePct)} (${f(a.processes[0]!.jsCorePct)})` : '–',
        '1 proc: bots %core': f(a?.botsCorePct),
        '2 procs: loss %': f(b?.lossPct, 2),
        '2 procs: kpkts/s in/out': b ? `${f(b.inPerS / 1000, 1)}/${f(b.outPerS / 1000, 1)}` : '–',
        '2 procs: relay %core (JS) each': b ? b.processes.map((p) => `${f(p.corePct)} (${f(p.jsCorePct)})`).join(' + ') : '–',
        '2 procs: bots %core': f(b?.botsCorePct),
        '2 procs: rooms per worker': b?.placement ?? '–',
        load: (b ?? a)!.load,
      };
    }
    console.table(rows);
    for (const line of [...(one.notStarted ?? []).map((l) => `1 process: ${l}`), ...(two.notStarted ?? []).map((l) => `2 processes: ${l}`)]) console.log(line);
    const k1 = carried(one);
    const k2 = carried(two);
    const why = (steps: RoomsStep[] & { notStarted?: string[] }, k: number) =>
      steps.length > k ? `loss reached ${LOSS_PCT} % at ${k + 1}` : steps.notStarted?.length ? `room ${k + 1} could not start: the box was out of CPU` : `stopped at ${MAX_ROOMS}`;
    console.log(
      `50-person rooms carried with loss < ${LOSS_PCT} %: one process ${k1} (${why(one, k1)}), two processes sharing Redis ${k2} (${why(two, k2)}); ` +
        `ratio ${k1 > 0 ? (k2 / k1).toFixed(2) : '–'}×.`,
    );
    // The most loaded step of the one process: fixed costs spread, as they would be near its limit.
    const top = one.at(-1)!;
    const perRoomCore = top.processes[0]!.corePct / top.rooms;
    const perRoomJs = top.processes[0]!.jsCorePct / top.rooms;
    console.log(
      `At ${top.rooms} room${top.rooms > 1 ? 's' : ''} one process spent ${perRoomCore.toFixed(0)} % of a core a room, ${perRoomJs.toFixed(0)} % of it on its JavaScript thread ` +
        `(the part one process cannot spread over cores; the rest is libdatachannel's threads): its JavaScript thread would fill at ≈ ${(100 / perRoomJs).toFixed(1)} rooms, ` +
        `each core at ≈ ${(100 / perRoomCore).toFixed(1)}. The bots need about as much CPU as the relays, on the same 2 cores.`,
    );
  } finally {
    await redis.stop();
  }
}
