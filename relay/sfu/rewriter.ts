import { seqNewer, setRtpPayloadType, setRtpSeq, setRtpSsrc, setRtpTimestamp } from './rtp';

/**
 * One down stream's identity: whatever source feeds it (low, mid or high layer of a publisher,
 * or a different speaker in an audio slot), the subscriber sees one SSRC with continuous
 * sequence numbers and timestamps. Rewrites the packet in place; allocates nothing.
 */
export class StreamRewriter {
  /** Source currently mapped (an up stream's numeric id); -1 before the first packet. */
  private sourceId = -1;
  private seqOffset = 0;
  private tsOffset = 0;
  private lastSeq = 0;
  private lastTs = 0;
  private lastAtMs = 0;
  /** Packets rewritten so far (also: has this stream started?). */
  packets = 0;
  /** Down sequence number of the first packet of the current source. */
  sourceStartSeq = 0;

  constructor(
    readonly ssrc: number,
    readonly payloadType: number,
    readonly clockRate: number,
    /** First sequence number sent (random in production, fixed in tests). */
    firstSeq = 0,
  ) {
    this.lastSeq = (firstSeq - 1) & 0xffff;
  }

  /**
   * Rewrites `buf` (from up stream `sourceId`) to this down stream's SSRC, seq and timestamp.
   * `inSeq`/`inTs` are the packet's original values: the caller reads them once, because the
   * same buffer is rewritten for one subscriber after another.
   */
  rewrite(buf: Uint8Array, sourceId: number, inSeq: number, inTs: number, nowMs: number): void {
    if (sourceId !== this.sourceId) {
      // A switch (or the first packet): continue right after what was sent last, with the
      // timestamp advanced by the wall-clock gap so playout timing stays plausible.
      const gapTicks = this.packets === 0 ? 0 : Math.max(1, Math.round(((nowMs - this.lastAtMs) * this.clockRate) / 1000));
      this.seqOffset = (this.lastSeq + 1 - inSeq) & 0xffff;
      this.tsOffset = (this.lastTs + gapTicks - inTs) >>> 0;
      this.sourceId = sourceId;
      this.sourceStartSeq = (this.lastSeq + 1) & 0xffff;
    }
    const seq = (inSeq + this.seqOffset) & 0xffff;
    const ts = (inTs + this.tsOffset) >>> 0;
    setRtpSeq(buf, seq);
    setRtpTimestamp(buf, ts);
    setRtpSsrc(buf, this.ssrc);
    setRtpPayloadType(buf, this.payloadType);
    if (this.packets === 0 || seqNewer(seq, this.lastSeq)) {
      this.lastSeq = seq;
      this.lastTs = ts;
      this.lastAtMs = nowMs;
    }
    this.packets++;
  }

  /** The up sequence number that became down sequence number `downSeq` (for NACK answers). */
  upSeqOf(downSeq: number): number {
    return (downSeq - this.seqOffset) & 0xffff;
  }

  get currentSourceId(): number {
    return this.sourceId;
  }
}
