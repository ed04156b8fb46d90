import { loadLine } from './proc-stats';
import { runRelayScenario, type RelayScenario } from './relay-bench';
import { soakBench, type SoakResult } from './soak-bench';

/**
 * Young-generation section of `npm run bench` (BENCH_SECTIONS=younggen): the relay node under
 * the setting it ships (relay/sfu/young-generation.ts: V8's semi-space growth factor 1, so the
 * new space stays at its first size) against V8's default (factor 2, up to 16 MB semi-spaces on
 * Node 22) and a large young generation (--max-semi-space-size=64, the usual advice for
 * allocation-heavy Node servers). Per variant: a 50-person room (relay CPU per forwarded packet,
 * RSS; runs interleaved, medians) and a short churn soak (RSS growth).
 */
const VARIANTS: { name: string; nodeArgs: string[] }[] = [
  { name: 'shipped: growth factor 1', nodeArgs: [] },
  { name: 'V8 default (factor 2)', nodeArgs: ['--semi-space-growth-factor=2'] },
  { name: '--max-semi-space-size=64', nodeArgs: ['--max-semi-space-size=64'] },
];
const RUNS = Number(process.env.BENCH_YG_RUNS ?? 3);
const ROOM = Number(process.env.BENCH_YG_ROOM ?? 50);
const SOAK_MS = Number(process.env.BENCH_YG_SOAK_MS ?? 180_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function youngGenerationBench(): Promise<void> {
  const runs = new Map<string, (RelayScenario & { load: string })[]>(VARIANTS.map((v) => [v.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const v of VARIANTS) {
      const result = await runRelayScenario(ROOM, { nodeArgs: v.nodeArgs });
      runs.get(v.name)!.push({ ...result, load: loadLine() });
      console.log(`younggen: ${v.name}, run ${r + 1}: ${result.cpuUsPerPacket.toFixed(1)} µs/pkt, ${result.cpuCorePct.toFixed(1)} % of a core, RSS ${result.rssMB.toFixed(0)} MB, loss ${result.lossPct.toFixed(2)} %, ${loadLine()}`);
    }
  }
  const soaks = new Map<string, SoakResult | null>();
  if (SOAK_MS > 0) {
    for (const v of VARIANTS) {
      soaks.set(v.name, await soakBench({ soakMs: SOAK_MS, nodeArgs: v.nodeArgs }));
      console.log(`younggen: ${v.name} soak done, ${loadLine()}`);
    }
  }
  console.log(`\nConfab bench — the relay's young generation (Node ${process.versions.node}), N=${ROOM} room, medians of ${RUNS} interleaved runs; soak ${SOAK_MS / 1000} s of churn\n`);
  console.table(
    Object.fromEntries(
      VARIANTS.map((v) => {
        const rs = runs.get(v.name)!;
        const soak = soaks.get(v.name);
        return [
          v.name,
          {
            'CPU µs/pkt': median(rs.map((r) => r.cpuUsPerPacket)).toFixed(1),
            'all runs': rs.map((r) => r.cpuUsPerPacket.toFixed(1)).join(' '),
            'relay %core': median(rs.map((r) => r.cpuCorePct)).toFixed(1),
            'RSS MB (N room)': median(rs.map((r) => r.rssMB)).toFixed(0),
            'loss %': median(rs.map((r) => r.lossPct)).toFixed(2),
            'soak RSS MB': soak ? `${soak.rssStartMB.toFixed(0)} → ${soak.rssEndMB.toFixed(0)}` : '–',
            'soak growth %': soak ? soak.growthPct.toFixed(1) : '–',
            'soak new space MB': soak ? soak.newSpaceEndMB.toFixed(1) : '–',
            'soak relay %core': soak ? soak.relayCorePct.toFixed(1) : '–',
            loads: rs.map((r) => r.load.replace('load ', '').split(' ')[0]).join(' '),
          },
        ];
      }),
    ),
  );
}
