import { findRtpExtension, isRtp, rtpPayloadEnd, rtpPayloadOffset, rtpSeq, rtpSsrc } from '../../relay/sfu/rtp';
import { isVp8FrameStart, isVp8KeyframeStart, vp8DescriptorLength } from '../../relay/sfu/vp8';
import { EXT_ABS_SEND_TIME } from './packet-builder';
import { EXT_TEST_ORIGIN } from './replayer';

/** Every this many packets, one end-to-end delay sample (publisher bot → relay → subscriber bot). */
const DELAY_SAMPLE_EVERY = 8;

/**
 * Checks what one down slot delivers is decodable: one SSRC, continuous sequence numbers,
 * video that starts — and restarts after every change of origin (a layer or publisher
 * switch) — on a keyframe. The bots' test extension names each packet's origin.
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
    const o = findRtpExtension(buf, EXT_TEST_ORIGIN);
    const origin = o < 0 ? -2 : buf[o]! * 16 + buf[o + 1]!;
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
      const a = findRtpExtension(buf, EXT_ABS_SEND_TIME);
      if (a >= 0) {
        const sent = (buf[a]! << 16) | (buf[a + 1]! << 8) | buf[a + 2]!;
        const now = Math.round((nowMs / 1000) * (1 << 18)) & 0xffffff;
        this.delaysMs.push((((now - sent) & 0xffffff) * 1000) / (1 << 18));
      }
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
