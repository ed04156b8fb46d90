import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRoomFrame, RoomMessageKind } from '../../crdt/protocol/room-message-frame';
import type { Bot } from '../load/bot';
import { startBots, startRelayNode, tilePlan } from '../load/harness';
import { loadRecording, type Recording } from '../load/recording';
import { summarizeCpuProfile } from './cpu-profile';
import { percentile } from './client-bench';
import { keyframeRequestBench } from './keyframe-bench';
import { sleep } from '../support/wait';

/**
 * Relay section of `npm run bench`: rooms of N synthetic participants through a real relay node
 * process, each showing 9 low tiles + 1 high tile (fewer when the room is smaller) and hearing
 * the 3 loudest voices. Relay CPU is the relay process's own user+system time.
 */
const TILES = 10;
const WARMUP_MS = Number(process.env.BENCH_RELAY_WARMUP_MS ?? 4_000);
const WINDOW_MS = Number(process.env.BENCH_RELAY_WINDOW_MS ?? 20_000);
/** Room state phase: one chat-sized broadcast (300 bytes, a Yjs update with a message) every CHAT_EVERY_MS for CHAT_MS. */
const CHAT_MS = 5_000;
const CHAT_EVERY_MS = 100;
const CHAT_BYTES = 300;
const DOC_BYTES = 1024 * 1024;

/**
 * While the media flows: chat-sized broadcasts from the bots in turn, each timed at every
 * receiver, then a whole room document (1 MiB, as sync step 2 to a newcomer) from one bot to
 * another. All through the relay's room message hub, as pages do in relay mode.
 */
async function roomStatePhase(bots: Bot[]): Promise<{ chatP50Ms: number; chatP95Ms: number; deliveredPct: number; docMs: number }> {
  const delays: number[] = [];
  let docPieces = 0;
  let docDone = 0;
  for (const bot of bots) {
    bot.onRoomFrame = (f) => {
      if (f.kind === RoomMessageKind.Broadcast && f.piece.length === CHAT_BYTES) {
        delays.push(performance.now() - new DataView(f.piece.buffer, f.piece.byteOffset).getFloat64(0));
      } else if (f.kind === RoomMessageKind.Direct && ++docPieces === DOC_BYTES / (16 * 1024)) docDone = performance.now();
    };
  }
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < CHAT_MS) {
    const piece = new Uint8Array(CHAT_BYTES);
    new DataView(piece.buffer).setFloat64(0, performance.now());
    bots[sent++ % bots.length]!.sendRoom(encodeRoomFrame(RoomMessageKind.Broadcast, '', piece));
    await sleep(CHAT_EVERY_MS);
  }
  const d0 = performance.now();
  for (let i = 0; i < DOC_BYTES / (16 * 1024); i++) bots[0]!.sendRoom(encodeRoomFrame(RoomMessageKind.Direct, bots[1]!.id, new Uint8Array(16 * 1024)));
  const deadline = performance.now() + 10_000;
  while (!docDone && performance.now() < deadline) await sleep(10);
  await sleep(200);
  return {
    chatP50Ms: percentile(delays, 50),
    chatP95Ms: percentile(delays, 95),
    deliveredPct: (100 * delays.length) / (sent * (bots.length - 1)),
    docMs: docDone ? docDone - d0 : NaN,
  };
}

/** CPU µs per thread name of a process, from /proc (Linux), to split JS from native threads. */
function threadCpuUs(pid: number): Map<string, number> {
  const ticksUs = 1e6 / 100; // USER_HZ
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const us = (Number(fields[11]) + Number(fields[12])) * ticksUs;
      out.set(name, (out.get(name) ?? 0) + us);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

export interface RelayScenario {
  n: number;
  startMs: number;
  packetsInPerS: number;
  packetsOutPerS: number;
  cpuUsPerPacket: number;
  cpuCorePct: number;
  rssMB: number;
  delayP50Us: number;
  delayP95Us: number;
  e2eP50Ms: number;
  e2eP95Ms: number;
  lossPct: number;
  uplinkKbps: number;
  downlinkKbps: number;
  meshUplinkKbps: number;
  meshPacketsPerClientPerS: number;
  retries: number;
  callbackErrors: number;
  profile?: { fn: string; selfPct: number }[];
  /** Relay CPU per forwarded packet, split by thread name. */
  threadsUsPerPacket: { name: string; usPerPacket: number }[];
  roomState: Awaited<ReturnType<typeof roomStatePhase>>;
}

/** What one full camera stream (high layer + audio) costs, from the recording itself. */
function streamRates(rec: Recording) {
  const rate = (stream: number) => {
    const packets = rec.streams[stream]!;
    const seconds = rec.durationUs / 1e6;
    const bytes = packets.reduce((n, p) => n + p.payload.length + 12 + 8 + 28, 0); // RTP + ext + UDP/IP
    return { kbps: (bytes * 8) / seconds / 1000, pps: packets.length / seconds };
  };
  return { audio: rate(0), high: rate(3) };
}

export async function runRelayScenario(n: number, opts: { profile?: boolean; nodeArgs?: string[] } = {}): Promise<RelayScenario> {
  const recording = loadRecording();
  const profileDir = opts.profile ? mkdtempSync(join(tmpdir(), 'confab-relay-prof-')) : null;
  const relay = await startRelayNode({
    // BENCH_RELAY_NODE_ARGS: flags for the relay's node, e.g. --semi-space-growth-factor=2 to compare with V8's default young generation.
    nodeArgs: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(opts.nodeArgs ?? (process.env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean))],
    args: (process.env.BENCH_RELAY_ARGS ?? '').split(' ').filter(Boolean),
  });
  const t0 = performance.now();
  let room;
  let result: RelayScenario;
  try {
    room = await startBots(relay, recording, n, {
      videoSlots: Math.min(TILES, n - 1),
      audioSlots: 3,
      audioLevel: (i) => (i < 3 ? 10 + 10 * i : 60 + (i % 30)),
      roomChannel: true,
    });
    const startMs = performance.now() - t0;
    const bots = room.bots;
    bots.forEach((bot, i) => tilePlan(i, n, TILES).forEach((t, k) => bot.subscribe(k, bots[t.publisher]!.id, t.layer)));
    await sleep(WARMUP_MS);
    const slots = () => bots.flatMap((b) => [...b.video, ...b.audio]);
    for (const s of slots()) s.resetWindow();
    const sentBefore = bots.map((b) => b.bytesSent());
    const threadsBefore = threadCpuUs(relay.process.pid!);
    const before = await relay.stats(true);
    const w0 = performance.now();
    await sleep(WINDOW_MS);
    const after = await relay.stats();
    const threadsAfter = threadCpuUs(relay.process.pid!);
    const seconds = (performance.now() - w0) / 1000;
    const sentAfter = bots.map((b) => b.bytesSent());

    const out = after.packetsOut - before.packetsOut;
    // The relay's own CPU time: /proc threads (Linux), else what the relay reports.
    const sum = (m: Map<string, number>) => [...m.values()].reduce((x, v) => x + v, 0);
    const cpuUs =
      threadsAfter.size > 0
        ? sum(threadsAfter) - sum(threadsBefore)
        : after.cpuUserUs + after.cpuSystemUs - (before.cpuUserUs + before.cpuSystemUs);
    const all = slots();
    const lost = all.reduce((x, s) => x + s.lost, 0);
    const got = all.reduce((x, s) => x + s.packets, 0);
    const received = all.reduce((x, s) => x + s.bytes + 28 * s.packets, 0);
    const uplinkBytes = sentAfter.reduce((x, v, i) => x + v - sentBefore[i]!, 0);
    const delays = all.flatMap((s) => s.delaysMs);
    const mesh = streamRates(recording);
    const roomState = await roomStatePhase(bots);
    result = {
      roomState,
      n,
      startMs,
      packetsInPerS: (after.packetsIn - before.packetsIn) / seconds,
      packetsOutPerS: out / seconds,
      cpuUsPerPacket: cpuUs / out,
      cpuCorePct: cpuUs / 1e4 / seconds,
      rssMB: after.rssBytes / 2 ** 20,
      delayP50Us: after.delayP50Us,
      delayP95Us: after.delayP95Us,
      e2eP50Ms: percentile(delays, 50),
      e2eP95Ms: percentile(delays, 95),
      lossPct: (100 * lost) / (got + lost),
      uplinkKbps: (uplinkBytes * 8) / seconds / 1000 / n,
      downlinkKbps: (received * 8) / seconds / 1000 / n,
      meshUplinkKbps: (n - 1) * (mesh.audio.kbps + mesh.high.kbps),
      meshPacketsPerClientPerS: (n - 1) * (mesh.audio.pps + mesh.high.pps) * 2,
      retries: bots.reduce((x, b) => x + b.retries, 0),
      callbackErrors: after.callbackErrors,
      threadsUsPerPacket: [...threadsAfter.entries()]
        .map(([name, us]) => ({ name, usPerPacket: (us - (threadsBefore.get(name) ?? 0)) / out }))
        .filter((t) => t.usPerPacket >= 0.1)
        .sort((a, b) => b.usPerPacket - a.usPerPacket),
    };
  } finally {
    room?.stop();
    await sleep(300);
    await relay.stop();
  }
  if (profileDir) result.profile = summarizeCpuProfile(profileDir);
  return result;
}

export async function relayBench(sizes = (process.env.BENCH_RELAY_SIZES ?? '10,25,50').split(',').map(Number)): Promise<void> {
  const results: RelayScenario[] = [];
  for (const n of sizes) {
    const profile = process.env.BENCH_RELAY_PROFILE === '1' && n === Math.max(...sizes);
    const r = await runRelayScenario(n, { profile });
    results.push(r);
    console.log(`relay bench: N=${n} done (bots up in ${(r.startMs / 1000).toFixed(1)} s)`);
  }
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  console.log(`\nConfab bench — relay node (node-datachannel), ${WINDOW_MS / 1000} s window per room, bots in this process\n`);
  console.table(
    Object.fromEntries(
      results.map((r) => [
        `N=${r.n}`,
        {
          'pkts/s in': f(r.packetsInPerS),
          'pkts/s out': f(r.packetsOutPerS),
          'CPU µs/pkt': f(r.cpuUsPerPacket, 1),
          'relay CPU %core': f(r.cpuCorePct, 1),
          'RSS MB': f(r.rssMB),
          'delay p50/p95 µs': `${f(r.delayP50Us)}/${f(r.delayP95Us)}`,
          'bot→bot p50/p95 ms': `${f(r.e2eP50Ms, 1)}/${f(r.e2eP95Ms, 1)}`,
          'loss %': f(r.lossPct, 2),
          'up/down kbps': `${f(r.uplinkKbps)}/${f(r.downlinkKbps)}`,
          'mesh up=down kbps': f(r.meshUplinkKbps),
          'mesh pkts/s/client': f(r.meshPacketsPerClientPerS),
        },
      ]),
    ),
  );
  console.log('CPU µs/pkt = relay process CPU (user+system) ÷ packets forwarded, all SFU logic included; target ≤ 16.');
  console.log('delay = in the relay, from a packet\'s handler entry to its last send; bot→bot adds both SRTP stacks and the event loops.');
  console.log('mesh = the same room as a full mesh (computed from the recording: high layer + audio to each of N−1 peers, same down).');
  console.table(
    Object.fromEntries(
      results.map((r) => [
        `N=${r.n}`,
        {
          'chat broadcast p50/p95 ms': `${f(r.roomState.chatP50Ms, 1)}/${f(r.roomState.chatP95Ms, 1)}`,
          'chat delivered %': f(r.roomState.deliveredPct, 1),
          '1 MiB document to one peer ms': f(r.roomState.docMs),
        },
      ]),
    ),
  );
  console.log(`room state through the relay, while the media flows: a ${CHAT_BYTES}-byte broadcast every ${CHAT_EVERY_MS} ms for ${CHAT_MS / 1000} s, timed at each of the N−1 receivers; then 1 MiB (a newcomer's sync step 2) in 16 KiB frames.`);
  const retries = results.reduce((x, r) => x + r.retries, 0);
  const errors = results.reduce((x, r) => x + r.callbackErrors, 0);
  if (retries || errors) console.log(`bot connection retries: ${retries}; relay callback errors: ${errors}`);
  for (const r of results) {
    console.log(`relay threads, N=${r.n} (µs per forwarded packet): ${r.threadsUsPerPacket.map((t) => `${t.name} ${t.usPerPacket.toFixed(1)}`).join(', ')}`);
  }
  const kf = await keyframeRequestBench();
  console.log(
    `keyframe requests, one subscriber asking every 100 ms for ${kf.seconds.toFixed(0)} s: ${kf.requestsIn} in → ${kf.sentUpstream} sent upstream ` +
      `(${(kf.sentUpstream / kf.seconds).toFixed(2)}/s; the publisher got ${kf.publisherGot})`,
  );
  const profiled = process.env.BENCH_RELAY_PROFILE === '1' ? results.at(-1) : undefined;
  if (profiled?.profile?.length) {
    console.log(`\nrelay CPU profile, N=${profiled.n} (self time, share of busy samples):`);
    for (const p of profiled.profile) console.log(`  ${p.selfPct.toFixed(1).padStart(5)}%  ${p.fn}`);
  }
}
