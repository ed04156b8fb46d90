import { formatDecimal, t } from '../../i18n/i18n';

/**
 * How good a connection is, from two getStats() readings a couple of seconds apart: packet
 * loss and round-trip time grade it; the bitrate is shown alongside. Pure: the readings are
 * gathered by quality-watch.ts.
 */
export type QualityGrade = 'good' | 'fair' | 'poor';

/** Counters summed over one connection's inbound RTP streams, plus its transport's figures. */
export interface StatsReading {
  atMs: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** Of the selected candidate pair; undefined until ICE has measured it. */
  rttMs?: number;
  /** The sender's bandwidth estimate (selected candidate pair). */
  availableOutgoingBps?: number;
  /** Loss the other side reports for what we send (remote-inbound-rtp, 0..1), worst stream. */
  sentFractionLost?: number;
}

export interface LinkQuality {
  grade: QualityGrade;
  lossPct: number;
  rttMs: number | undefined;
  bitrateBps: number;
}

export const QUALITY_BOUNDS = {
  fairLossPct: 3,
  poorLossPct: 10,
  fairRttMs: 300,
  poorRttMs: 600,
  /** Below this estimated uplink, a 640×480 camera cannot be carried watchably. */
  minVideoUplinkBps: 150_000,
};

export function gradeOf(lossPct: number, rttMs: number | undefined): QualityGrade {
  const rtt = rttMs ?? 0;
  if (lossPct >= QUALITY_BOUNDS.poorLossPct || rtt >= QUALITY_BOUNDS.poorRttMs) return 'poor';
  if (lossPct >= QUALITY_BOUNDS.fairLossPct || rtt >= QUALITY_BOUNDS.fairRttMs) return 'fair';
  return 'good';
}

/** Quality between two readings of the same connection; null if they cannot be compared. */
export function qualityBetween(before: StatsReading, after: StatsReading): LinkQuality | null {
  const seconds = (after.atMs - before.atMs) / 1000;
  const received = after.packetsReceived - before.packetsReceived;
  const lost = Math.max(0, after.packetsLost - before.packetsLost);
  // Counters restart when a connection is replaced (a redial): compare only forward.
  if (seconds <= 0 || received < 0) return null;
  const lossPct = received + lost === 0 ? 0 : (100 * lost) / (received + lost);
  const bitrateBps = Math.max(0, (8 * (after.bytesReceived - before.bytesReceived)) / seconds);
  return { grade: gradeOf(lossPct, after.rttMs), lossPct, rttMs: after.rttMs, bitrateBps };
}

/** The tooltip: "Good connection · loss 0.4% · round trip 12 ms · 640 kbps". */
export function describeQuality(q: LinkQuality): string {
  const summary = { good: 'quality.summaryGood', fair: 'quality.summaryFair', poor: 'quality.summaryPoor' } as const;
  const parts = [t(summary[q.grade]), t('quality.loss', { pct: formatDecimal(q.lossPct, 1) })];
  if (q.rttMs !== undefined) parts.push(t('quality.rtt', { ms: Math.round(q.rttMs) }));
  parts.push(q.bitrateBps >= 1e6 ? `${(q.bitrateBps / 1e6).toFixed(1)} Mbps` : `${Math.round(q.bitrateBps / 1000)} kbps`);
  return parts.join(' · ');
}

/** Your own side: the worst of what your peers report receiving from you. */
export function uplinkQuality(readings: readonly StatsReading[]): { grade: QualityGrade; lossPct: number; rttMs: number | undefined; availableOutgoingBps: number | undefined } {
  let lossPct = 0;
  let rttMs: number | undefined;
  let availableOutgoingBps: number | undefined;
  for (const r of readings) {
    lossPct = Math.max(lossPct, 100 * (r.sentFractionLost ?? 0));
    if (r.rttMs !== undefined) rttMs = Math.max(rttMs ?? 0, r.rttMs);
    if (r.availableOutgoingBps !== undefined) availableOutgoingBps = Math.min(availableOutgoingBps ?? Infinity, r.availableOutgoingBps);
  }
  return { grade: gradeOf(lossPct, rttMs), lossPct, rttMs, availableOutgoingBps };
}

/**
 * Whether to tell this person their uplink cannot carry video: the bandwidth estimate must
 * stay below the bound for `holdSamples` readings in a row before the notice shows, and
 * above it as long before it goes (estimates swing; a flickering notice helps nobody).
 */
export class UplinkNotice {
  private below = 0;
  private above = 0;
  private showing = false;

  constructor(private readonly holdSamples = 2) {}

  update(availableOutgoingBps: number | undefined, cameraOn: boolean): boolean {
    const starved = cameraOn && availableOutgoingBps !== undefined && availableOutgoingBps < QUALITY_BOUNDS.minVideoUplinkBps;
    this.below = starved ? this.below + 1 : 0;
    this.above = starved ? 0 : this.above + 1;
    if (!this.showing && this.below >= this.holdSamples) this.showing = true;
    if (this.showing && (this.above >= this.holdSamples || !cameraOn)) this.showing = false;
    return this.showing;
  }
}
