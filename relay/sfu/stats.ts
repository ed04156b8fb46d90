/** Counters and a forwarding-delay histogram for the media plane; fixed-size, updated per packet without allocating. */

const BUCKET_US = 2;
const BUCKETS = 5_000; // 0 … 10 ms in 2 µs steps; the last bucket holds everything slower

export class ForwardingStats {
  packetsIn = 0;
  bytesIn = 0;
  packetsOut = 0;
  bytesOut = 0;
  /** Up packets that were not RTP of the negotiated codec (RTX, padding-only, junk). */
  packetsDropped = 0;
  /** Of those: packets of shared screens, received and forwarded. */
  screenPacketsIn = 0;
  screenPacketsOut = 0;
  /** Keyframe requests sent to publishers. */
  keyframeRequests = 0;
  /** Keyframe requests (PLI, FIR) subscribers sent about their tiles. */
  keyframeRequestsIn = 0;
  /** Requests a keyframe already asked for in the window serves (not sent upstream on their own). */
  keyframeRequestsCoalesced = 0;
  layerSwitches = 0;
  nacksAnswered = 0;
  nacksMissed = 0;
  /** Room-state frames (sealed Yjs and media-key messages, presence) sent to participants, and frames dropped as malformed. */
  roomFramesOut = 0;
  roomFramesMalformed = 0;
  private delays = new Uint32Array(BUCKETS);
  private delayCount = 0;

  /** Time one up packet spent in the relay's handler (receive → last send), ms. */
  recordDelay(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.floor((ms * 1000) / BUCKET_US));
    this.delays[bucket]!++;
    this.delayCount++;
  }

  /** Delay percentile in µs (upper bucket edge). */
  delayPercentileUs(p: number): number {
    if (this.delayCount === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.delayCount);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.delays[i]!;
      if (seen >= rank) return (i + 1) * BUCKET_US;
    }
    return BUCKETS * BUCKET_US;
  }

  resetDelays(): void {
    this.delays.fill(0);
    this.delayCount = 0;
  }

  snapshot() {
    return {
      packetsIn: this.packetsIn,
      bytesIn: this.bytesIn,
      packetsOut: this.packetsOut,
      bytesOut: this.bytesOut,
      packetsDropped: this.packetsDropped,
      screenPacketsIn: this.screenPacketsIn,
      screenPacketsOut: this.screenPacketsOut,
      keyframeRequests: this.keyframeRequests,
      keyframeRequestsIn: this.keyframeRequestsIn,
      keyframeRequestsCoalesced: this.keyframeRequestsCoalesced,
      layerSwitches: this.layerSwitches,
      nacksAnswered: this.nacksAnswered,
      nacksMissed: this.nacksMissed,
      roomFramesOut: this.roomFramesOut,
      roomFramesMalformed: this.roomFramesMalformed,
      delayP50Us: this.delayPercentileUs(50),
      delayP95Us: this.delayPercentileUs(95),
    };
  }
}

export type ForwardingSnapshot = ReturnType<ForwardingStats['snapshot']>;
