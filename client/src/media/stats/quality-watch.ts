import { createSignal, type Accessor } from 'solid-js';
import { qualityBetween, UplinkNotice, uplinkQuality, type LinkQuality, type QualityGrade, type StatsReading } from './link-quality';

const SAMPLE_MS = 2_000;

/** Anything with getStats(): a peer connection, or one receiver of the relay link. */
export interface StatsSource {
  getStats(): Promise<RTCStatsReport>;
}

/** What to measure: per peer, what arrives from them; and the connections that carry our uplink. */
export interface QualitySources {
  perPeer: Map<string, StatsSource>;
  uplinks: StatsSource[];
}

export interface SelfQuality {
  grade: QualityGrade;
  summary: string;
}

/**
 * Reads every connection's getStats() every two seconds: the quality of what arrives from
 * each peer (their tile's indicator), of what leaves this browser (the self-view's), and
 * whether the uplink has become too thin for video (a notice).
 */
export class QualityWatch {
  readonly byPeer: Accessor<ReadonlyMap<string, LinkQuality>>;
  readonly self: Accessor<SelfQuality | null>;
  readonly uplinkTooThin: Accessor<boolean>;
  private readonly last = new Map<string, StatsReading>();
  private readonly notice = new UplinkNotice();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly sources: () => QualitySources,
    private readonly cameraOn: () => boolean,
  ) {
    const [byPeer, setByPeer] = createSignal<ReadonlyMap<string, LinkQuality>>(new Map());
    const [self, setSelf] = createSignal<SelfQuality | null>(null);
    const [uplinkTooThin, setUplinkTooThin] = createSignal(false);
    this.byPeer = byPeer;
    this.self = self;
    this.uplinkTooThin = uplinkTooThin;
    this.timer = setInterval(() => {
      void this.sample().then((s) => {
        setByPeer(s.byPeer);
        setSelf(s.self);
        setUplinkTooThin(s.uplinkTooThin);
      });
    }, SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<{ byPeer: Map<string, LinkQuality>; self: SelfQuality | null; uplinkTooThin: boolean }> {
    const byPeer = new Map<string, LinkQuality>();
    const { perPeer, uplinks } = this.sources();
    await Promise.all(
      [...perPeer].map(async ([peerId, source]) => {
        const now = await readStats(source).catch(() => null);
        if (!now) return;
        const before = this.last.get(peerId);
        this.last.set(peerId, now);
        const quality = before && qualityBetween(before, now);
        if (quality) byPeer.set(peerId, quality);
      }),
    );
    for (const id of this.last.keys()) if (!perPeer.has(id)) this.last.delete(id);
    const readings = (await Promise.all(uplinks.map((source) => readStats(source).catch(() => null)))).filter((r) => r !== null);
    if (readings.length === 0) return { byPeer, self: null, uplinkTooThin: false };
    const up = uplinkQuality(readings);
    const parts = [`Your connection: ${up.grade}`, `loss ${up.lossPct.toFixed(1)}%`];
    if (up.rttMs !== undefined) parts.push(`round trip ${Math.round(up.rttMs)} ms`);
    if (up.availableOutgoingBps !== undefined) parts.push(`upload ${Math.round(up.availableOutgoingBps / 1000)} kbps`);
    return { byPeer, self: { grade: up.grade, summary: parts.join(' · ') }, uplinkTooThin: this.notice.update(up.availableOutgoingBps, this.cameraOn()) };
  }
}

async function readStats(source: StatsSource): Promise<StatsReading> {
  const reading: StatsReading = { atMs: performance.now(), packetsReceived: 0, packetsLost: 0, bytesReceived: 0 };
  const report = await source.getStats();
  let selectedPair: string | undefined;
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') selectedPair = s.selectedCandidatePairId;
  });
  report.forEach((s: Record<string, unknown>) => {
    const n = (key: string) => (typeof s[key] === 'number' ? (s[key] as number) : undefined);
    if (s.type === 'inbound-rtp') {
      reading.packetsReceived += n('packetsReceived') ?? 0;
      reading.packetsLost += n('packetsLost') ?? 0;
      reading.bytesReceived += n('bytesReceived') ?? 0;
    } else if (s.type === 'remote-inbound-rtp') {
      reading.sentFractionLost = Math.max(reading.sentFractionLost ?? 0, n('fractionLost') ?? 0);
    } else if (s.type === 'candidate-pair' && s.id === selectedPair) {
      const rtt = n('currentRoundTripTime');
      if (rtt !== undefined) reading.rttMs = rtt * 1000;
      reading.availableOutgoingBps = n('availableOutgoingBitrate');
    }
  });
  return reading;
}
