import { isRtp, rtpPayloadEnd, rtpPayloadOffset, rtpSeq, rtpSsrc } from '../../relay/sfu/rtp';
import { isVp8FrameStart, isVp8KeyframeStart, vp8DescriptorLength } from '../../relay/sfu/vp8';
import { CSRC_ORIGIN_AT, CSRC_SENT_MS_AT } from './replayer';

/** Every this many packets, one end-to-end delay sample (publisher bot → relay → subscriber bot). */
const DELAY_SAMPLE_EVERY = 8;

/**
 * Checks what one down slot delivers is decodable: one SSRC, continuous sequence numbers,
 * video that starts — and restarts after every change of origin (a layer or publisher
 * switch) — on a keyframe. The bots' CSRC words name each packet's origin (the relay blanks header extensions).
 */
export class SlotVerifier {
  ssrc = -1;
  ssrcChanges = 0;
  packets = 0;
  bytes = 0;
  lost = 0;
  reordered = 0;
  /** Video: origin changes (including the first packet) that did not start on a keyframe. */
  badStarts = 0;
  originChanges = 0;
  /** Origin of the last packet: bot index × 16 + stream, -1 before any. */
  origin = -1;
  /** Packets per origin in the current window. */
  readonly originPackets = new Map<number, number>();
  readonly delaysMs: number[] = [];
  /** Keep the last whole video frame (off by default: the load tests need no copies). */
  tapFrames = false;
  /** The last whole video frame this slot delivered: what a tap on the relay gets. */
  lastFrame: { bytes: Buffer; keyFrame: boolean } | null = null;
  private frameParts: Buffer[] = [];
  private lastSeq = -1;

  constructor(readonly video: boolean) {}

  receive(buf: Buffer, nowMs: number): void {
    if (!isRtp(buf)) return;
    const ssrc = rtpSsrc(buf);
    if (this.ssrc !== ssrc) {
      if (this.ssrc !== -1) this.ssrcChanges++;
      this.ssrc = ssrc;
    }
    const seq = rtpSeq(buf);
    if (this.lastSeq >= 0) {
      const gap = (seq - this.lastSeq) & 0xffff;
      if (gap === 0 || gap >= 0x8000) {
        this.reordered++;
        return;
      }
      this.lost += gap - 1;
    }
    this.lastSeq = seq;
    this.packets++;
    this.bytes += buf.length;
    const origin = (buf[0]! & 0x0f) < 2 ? -2 : buf.readUInt16BE(CSRC_ORIGIN_AT) * 16 + buf.readUInt16BE(CSRC_ORIGIN_AT + 2);
    if (origin !== this.origin) {
      this.originChanges++;
      this.origin = origin;
      if (this.video) {
        const at = rtpPayloadOffset(buf);
        if (at < 0 || !isVp8KeyframeStart(buf, at, rtpPayloadEnd(buf))) this.badStarts++;
      }
    }
    this.originPackets.set(origin, (this.originPackets.get(origin) ?? 0) + 1);
    if (this.video && this.tapFrames) this.tapFrame(buf);
    if (this.packets % DELAY_SAMPLE_EVERY === 0) {
      if ((buf[0]! & 0x0f) >= 2) this.delaysMs.push(((Math.floor(nowMs) >>> 0) - buf.readUInt32BE(CSRC_SENT_MS_AT)) >>> 0);
    }
  }

  /** Puts a frame back together from its packets. */
  private tapFrame(buf: Buffer): void {
    const at = rtpPayloadOffset(buf);
    const end = rtpPayloadEnd(buf);
    const descriptor = at < 0 ? -1 : vp8DescriptorLength(buf, at, end);
    if (descriptor < 0) return;
    if (isVp8FrameStart(buf, at)) this.frameParts = [];
    this.frameParts.push(Buffer.from(buf.subarray(at + descriptor, end)));
    if ((buf[1]! & 0x80) === 0) return; // the marker bit ends a frame
    const bytes = Buffer.concat(this.frameParts);
    this.lastFrame = { bytes, keyFrame: (bytes[0]! & 0x01) === 0 };
    this.frameParts = [];
  }

  /** Starts a measuring window: counts restart, continuity state is kept. */
  resetWindow(): void {
    this.packets = 0;
    this.bytes = 0;
    this.lost = 0;
    this.reordered = 0;
    this.originPackets.clear();
    this.delaysMs.length = 0;
  }
}

export const originOf = (bot: number, stream: number) => bot * 16 + stream;
