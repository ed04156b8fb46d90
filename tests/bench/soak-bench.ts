import { startRelayNode, type RelayNode, type RelayNodeStats } from '../load/harness';
import { loadRecording, type Recording } from '../load/recording';
import { newBotIdentity } from '../load/bot';
import { RoomMember } from '../load/room-member';
import { originOf } from '../load/verifier';
import { prng } from '../support/prng';
import { startRelay, type RelayProcess } from '../support/relay-process';
import { sleep } from '../support/wait';

/**
 * Soak section of `npm run bench` (BENCH_SECTIONS=soak): one room on a real relay node process
 * and the real signaling relay. CORE bots stay; CHURN slots are replaced one at a time every
 * few seconds (leave, then a fresh bot joins). Reports relay RSS growth, leaked sessions,
 * connections and timers once churn stops and once everyone left, and whether every
 * remaining bot receives continuous, keyframe-started media from whom it watches.
 * BENCH_SOAK_NODE_ARGS passes flags to the relay node (e.g. --heapsnapshot-signal=SIGUSR2).
 */
const DEFAULT_SOAK_MS = Number(process.env.BENCH_SOAK_MS ?? 600_000);
const warmupMsFor = (soakMs: number) => Number(process.env.BENCH_SOAK_WARMUP_MS ?? Math.min(60_000, Math.max(5_000, soakMs / 10)));
const CHURN_EVERY_MS = Number(process.env.BENCH_SOAK_CHURN_MS ?? 3_000);
const CORE = 4;
const CHURN = 4;
const SAMPLE_EVERY_MS = 5_000;
const VERIFY_MS = 5_000;
const RSS_GROWTH_TARGET_PCT = 10;
const ROOM = 'soak-room';
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

interface Soak {
  relay: RelayNode;
  signaling: RelayProcess;
  recording: Recording;
  core: RoomMember[];
  churn: (RoomMember | null)[];
  nextIndex: number;
  joins: number;
  failedJoins: number;
}

/** What each bot shows: tiles 0 and 1 the next two core bots (high, low); tile 2 a churner (core bots) or a third core bot. */
function plan(soak: Soak, m: RoomMember, coreIndex: number | null): { publisher: RoomMember | null; layer: 'high' | 'low' }[] {
  const at = (k: number) => soak.core[((coreIndex ?? -1) + 1 + k + CORE) % CORE]!;
  const third = coreIndex === null ? at(2) : soak.churn[coreIndex % CHURN] ?? null;
  return [
    { publisher: at(0), layer: 'high' },
    { publisher: at(1), layer: 'low' },
    { publisher: third === m ? null : third, layer: 'low' },
  ];
}

function subscribeAll(soak: Soak, m: RoomMember, coreIndex: number | null): void {
  plan(soak, m, coreIndex).forEach((t, k) => t.publisher && m.bot.subscribe(k, t.publisher.id, t.layer));
}

async function newMember(soak: Soak, index: number, loud: boolean): Promise<RoomMember | null> {
  const m = new RoomMember({
    signalUrl: `${soak.signaling.url.replace(/^http/, 'ws')}signal`,
    controlUrl: soak.relay.controlUrl,
    identity: await newBotIdentity(),
    room: ROOM,
    index,
    recording: soak.recording,
    videoSlots: 3,
    audioSlots: 3,
    audioLevel: loud ? 10 + 10 * index : 90,
    random: prng(index + 1),
    // As pages do: the room-state data channel too (SCTP on every connection).
    roomChannel: true,
  });
  soak.joins++;
  try {
    await m.join();
    return m;
  } catch (err) {
    soak.failedJoins++;
    console.warn(`soak: ${m.id} could not join: ${(err as Error).message}`);
    m.leave();
    return null;
  }
}

/** One churn step: a churner leaves, a fresh one takes its slot, the core bot watching that slot follows. */
async function churnOnce(soak: Soak, step: number): Promise<void> {
  const slot = step % CHURN;
  soak.churn[slot]?.leave();
  soak.churn[slot] = null;
  const m = await newMember(soak, soak.nextIndex++, false);
  soak.churn[slot] = m;
  if (!m) return;
  subscribeAll(soak, m, null);
  soak.core.forEach((c, i) => i % CHURN === slot && subscribeAll(soak, c, i));
}

async function signalingGauges(s: RelayProcess): Promise<{ sockets: number; topics: number; rssBytes: number }> {
  const text = await (await fetch(new URL('/metrics', s.url))).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sockets: gauge('confab_signaling_sockets'), topics: gauge('confab_signaling_topics'), rssBytes: gauge('process_resident_memory_bytes') };
}

/** Checks every remaining bot's slots over a fresh window; returns the problems found. */
async function convergence(soak: Soak): Promise<{ problems: string[]; slots: number }> {
  const live = [...soak.core.map((m, i) => ({ m, coreIndex: i as number | null })), ...soak.churn.filter((m) => m).map((m) => ({ m: m!, coreIndex: null }))];
  const badBefore = new Map(live.map(({ m }) => [m, m.bot.video.map((v) => v.badStarts)]));
  for (const { m } of live) for (const s of [...m.bot.video, ...m.bot.audio]) s.resetWindow();
  await sleep(VERIFY_MS);
  const problems: string[] = [];
  let slots = 0;
  for (const { m, coreIndex } of live) {
    plan(soak, m, coreIndex).forEach((t, k) => {
      if (!t.publisher) return;
      slots++;
      const v = m.bot.video[k]!;
      const where = `${m.id} tile ${k} (${t.publisher.id} ${t.layer})`;
      const want = originOf(t.publisher.index & 0xff, t.layer === 'high' ? 3 : 1);
      if (v.packets < (t.layer === 'high' ? 100 : 50)) problems.push(`${where}: ${v.packets} packets in ${VERIFY_MS} ms`);
      if (v.lost > v.packets / 100) problems.push(`${where}: ${v.lost} lost`);
      if (v.badStarts > badBefore.get(m)![k]!) problems.push(`${where}: a stream change did not start on a keyframe`);
      if ([...v.originPackets.keys()].some((o) => o !== want)) problems.push(`${where}: packets from elsewhere`);
    });
    for (const a of m.bot.audio) {
      slots++;
      if (a.packets < 150 || a.lost > a.packets / 100) problems.push(`${m.id} audio: ${a.packets} packets, ${a.lost} lost`);
    }
  }
  return { problems, slots };
}

/** Resources that differ from the idle baseline, as "Timeout 3→4". */
function resourceDiff(base: Record<string, number>, now: Record<string, number>): string[] {
  // An Immediate lives for one turn of the event loop (the stats request itself may queue one):
  // two of the three soaks in the young-generation A/B "failed" on Immediate 0→1 alone.
  const names = new Set([...Object.keys(base), ...Object.keys(now)].filter((n) => n !== 'Immediate'));
  return [...names].filter((n) => (base[n] ?? 0) !== (now[n] ?? 0)).map((n) => `${n} ${base[n] ?? 0}→${now[n] ?? 0}`);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return check();
}

/** What the young-generation comparison (younggen-bench.ts) reads of a soak. */
export interface SoakResult {
  ok: boolean;
  rssStartMB: number;
  rssEndMB: number;
  growthPct: number;
  newSpaceEndMB: number;
  relayCorePct: number;
}

export async function soakBench(opts: { soakMs?: number; nodeArgs?: string[] } = {}): Promise<SoakResult | null> {
  const SOAK_MS = opts.soakMs ?? DEFAULT_SOAK_MS;
  const WARMUP_MS = warmupMsFor(SOAK_MS);
  const nodeArgs = opts.nodeArgs ?? (process.env.BENCH_SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean);
  let result: SoakResult | null = null;
  const [relay, signaling] = await Promise.all([startRelayNode({ nodeArgs: ['--expose-gc', ...nodeArgs] }), startRelay()]);
  const soak: Soak = { relay, signaling, recording: loadRecording(), core: [], churn: Array(CHURN).fill(null), nextIndex: CORE, joins: 0, failedJoins: 0 };
  const pump = setInterval(() => {
    const now = performance.now();
    for (const m of [...soak.core, ...soak.churn]) m?.bot.pump(now);
  }, 5);
  const failures: string[] = [];
  try {
    const idle = await relay.stats();
    for (let i = 0; i < CORE; i++) {
      const m = await newMember(soak, i, true);
      if (!m) throw new Error('a core bot could not join');
      soak.core.push(m);
    }
    soak.core.forEach((m, i) => subscribeAll(soak, m, i));
    let step = 0;
    const churnFor = async (ms: number, onSample?: (s: RelayNodeStats) => void) => {
      const end = performance.now() + ms;
      let nextSample = performance.now();
      while (performance.now() < end) {
        const t = performance.now();
        await churnOnce(soak, step++);
        if (onSample && performance.now() >= nextSample) {
          onSample(await relay.stats());
          nextSample += SAMPLE_EVERY_MS;
        }
        await sleep(Math.max(0, CHURN_EVERY_MS - (performance.now() - t)));
      }
    };
    console.log(`soak: relay node pid ${relay.process.pid} (MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset, glibc default'}), signaling relay pid ${signaling.process.pid}`);
    console.log(`soak: ${CORE} core bots + ${CHURN} churning, one replaced every ${CHURN_EVERY_MS} ms; warm-up ${WARMUP_MS / 1000} s, soak ${SOAK_MS / 1000} s`);
    await churnFor(WARMUP_MS);
    const start = await relay.stats();
    const startSignaling = await signalingGauges(signaling);
    const joinsAtStart = soak.joins;
    let peak = start;
    const t0 = performance.now();
    const byMinute: number[] = [];
    await churnFor(SOAK_MS, (s) => {
      if (s.rssBytes > peak.rssBytes) peak = s;
      if (performance.now() - t0 >= (byMinute.length + 1) * 60_000) byMinute.push(s.rssBytes);
    });
    const soakedMs = performance.now() - t0;
    const end = await relay.stats();
    const endSignaling = await signalingGauges(signaling);
    if (end.rssBytes > peak.rssBytes) peak = end;
    const live = CORE + soak.churn.filter((m) => m).length;
    const { problems, slots } = await convergence(soak);
    const growthPct = (100 * (end.rssBytes - start.rssBytes)) / start.rssBytes;

    console.log(`\nConfab bench — soak (relay node + signaling relay, ${(soakedMs / 60_000).toFixed(1)} min of churn after ${WARMUP_MS / 1000} s warm-up)\n`);
    console.table({
      'relay node RSS MB': { start: mb(start.rssBytes), end: mb(end.rssBytes), peak: mb(peak.rssBytes), growth: `${growthPct.toFixed(1)} %` },
      'relay node heap MB': { start: mb(start.heapUsedBytes), end: mb(end.heapUsedBytes), peak: '', growth: '' },
      'relay node V8 committed MB': { start: mb(start.heapTotalBytes), end: mb(end.heapTotalBytes), peak: '', growth: '' },
      '… of which new space MB': { start: mb(start.heapSpaceBytes.new_space ?? 0), end: mb(end.heapSpaceBytes.new_space ?? 0), peak: '', growth: '' },
      'relay node external MB': { start: mb(start.externalBytes), end: mb(end.externalBytes), peak: '', growth: '' },
      'signaling RSS MB': { start: mb(startSignaling.rssBytes), end: mb(endSignaling.rssBytes), peak: '', growth: `${((100 * (endSignaling.rssBytes - startSignaling.rssBytes)) / startSignaling.rssBytes).toFixed(1)} %` },
    });
    console.log(`relay node RSS MB at each minute of the soak: ${[start.rssBytes, ...byMinute, end.rssBytes].map(mb).join(' → ')}`);
    console.log(`joins: ${soak.joins - joinsAtStart} during the soak (${soak.joins} in all, ${soak.failedJoins} failed); bot connection retries: ${[...soak.core, ...soak.churn].reduce((n, m) => n + (m?.bot.retries ?? 0), 0)}`);
    const cpuMs = (end.cpuUserUs + end.cpuSystemUs - start.cpuUserUs - start.cpuSystemUs) / 1000;
    console.log(`relay node CPU during the soak: ${((100 * cpuMs) / soakedMs).toFixed(1)} % of one core`);
    result = {
      ok: false,
      rssStartMB: start.rssBytes / 2 ** 20,
      rssEndMB: end.rssBytes / 2 ** 20,
      growthPct,
      newSpaceEndMB: (end.heapSpaceBytes.new_space ?? 0) / 2 ** 20,
      relayCorePct: (100 * cpuMs) / soakedMs,
    };
    console.log(`relay callback errors: ${end.callbackErrors}${end.callbackErrors ? ` (last: ${end.lastCallbackError})` : ''}`);
    const expect = (what: string, got: number, want: number) => {
      const ok = got === want;
      if (!ok) failures.push(`${what}: ${got}, expected ${want}`);
      return `${what} ${got}/${want}${ok ? '' : ' ✗'}`;
    };
    console.log(
      `with ${live} bots in: ` +
        [
          expect('relay sessions', end.sessions, live),
          expect('peer connections', end.peerConnections, live),
          expect('participants', end.participants, live),
          expect('signaling sockets', endSignaling.sockets, live),
          expect('signaling topics', endSignaling.topics, live + 1),
        ].join(', '),
    );
    console.log(`converged: ${slots - problems.length}/${slots} slots of ${live} remaining bots receive continuous, keyframe-started media from whom they watch`);
    for (const p of problems) console.log(`  ✗ ${p}`);
    failures.push(...problems);
    if (growthPct >= RSS_GROWTH_TARGET_PCT) failures.push(`relay RSS grew ${growthPct.toFixed(1)} % (target < ${RSS_GROWTH_TARGET_PCT} %)`);

    for (const m of [...soak.core, ...soak.churn]) m?.leave();
    soak.core = [];
    soak.churn.fill(null);
    const settled = await until(async () => (await relay.stats()).sessions === 0 && (await signalingGauges(signaling)).sockets === 0, 10_000);
    const after = await relay.stats();
    const afterSignaling = await signalingGauges(signaling);
    const leaked = resourceDiff(idle.activeResources, after.activeResources);
    console.log(`relay node RSS MB: ${mb(idle.rssBytes)} idle before anyone joined, ${mb(after.rssBytes)} after everyone left`);
    console.log(
      `after everyone left${settled ? '' : ' (not settled in 10 s)'}: ` +
        [
          expect('relay sessions', after.sessions, 0),
          expect('peer connections', after.peerConnections, 0),
          expect('rooms', after.rooms, 0),
          expect('signaling sockets', afterSignaling.sockets, 0),
          expect('signaling topics', afterSignaling.topics, 0),
        ].join(', ') +
        `; relay timers/handles vs idle: ${leaked.length ? leaked.join(', ') : 'same'} (${JSON.stringify(after.activeResources)})`,
    );
    if (leaked.length) failures.push(`relay handles differ from idle: ${leaked.join(', ')}`);
    console.log(failures.length ? `soak: FAILED\n${failures.map((f) => `  - ${f}`).join('\n')}` : `soak: OK (RSS growth < ${RSS_GROWTH_TARGET_PCT} %, no leaks, all converged)`);
  } finally {
    clearInterval(pump);
    for (const m of [...soak.core, ...soak.churn]) m?.leave();
    await sleep(300);
    await Promise.all([relay.stop(), signaling.stop()]);
  }
  return result && { ...result, ok: failures.length === 0 };
}
