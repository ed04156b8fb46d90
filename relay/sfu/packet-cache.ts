import { rtpSeq } from './rtp';

/**
 * The last few packets of one up stream, kept to answer subscribers' NACKs. One preallocated
 * slab; storing a packet is one copy, no allocation.
 */
export class PacketCache {
  private readonly slab: Uint8Array;
  private readonly lengths: Uint16Array;
  private readonly seqs: Int32Array;

  constructor(
    private readonly slots = 128,
    private readonly maxBytes = 1_500,
  ) {
    this.slab = new Uint8Array(slots * maxBytes);
    this.lengths = new Uint16Array(slots);
    this.seqs = new Int32Array(slots).fill(-1);
  }

  store(packet: Uint8Array): void {
    const seq = rtpSeq(packet);
    const slot = seq % this.slots;
    if (packet.length > this.maxBytes) {
      this.seqs[slot] = -1;
      return;
    }
    this.slab.set(packet, slot * this.maxBytes);
    this.lengths[slot] = packet.length;
    this.seqs[slot] = seq;
  }

  /** Copies packet `seq` into `into`; returns its length, or 0 when it is no longer kept. */
  copy(seq: number, into: Uint8Array): number {
    const slot = seq % this.slots;
    if (this.seqs[slot] !== seq) return 0;
    const len = this.lengths[slot]!;
    into.set(this.slab.subarray(slot * this.maxBytes, slot * this.maxBytes + len));
    return len;
  }
}
