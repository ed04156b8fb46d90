import { EXT_ABS_SEND_TIME, EXT_AUDIO_LEVEL } from './packet-builder';
import { STREAM_AUDIO, type RecordedPacket, type Recording } from './recording';
import type { LiveFrameSealer } from './sealed-recording';

/** Where the bots' CSRC words sit: whose packet and which layer ([bot index, stream]), and the send time in ms. */
export const CSRC_ORIGIN_AT = 12;
export const CSRC_SENT_MS_AT = 16;
export const VP8_PT = 96;
export const OPUS_PT = 111;
const FRAME_GAP_MS = 50;

/**
 * Replays one recorded stream with its own SSRC, sequence numbers and timestamps, looping.
 * `restart()` jumps back to the first packet, a keyframe: what a bot does when asked for one.
 * With a sealer, each frame is sealed as it is sent (fresh frame counters every loop).
 */
export class StreamPlayer {
  private index = 0;
  private loopStartMs = 0;
  private tsBase = 0;
  private seq: number;
  private lastTs = 0;
  private lastSentMs = 0;
  private readonly clockRate: number;
  private readonly loopMs: number;
  private readonly loopTicks: number;
  private readonly firstUs: number;
  /** The sealed payloads of the frame being sent, and which of them is next. */
  private framePayloads: Buffer[] = [];
  private frameAt = 0;
  paused = false;
  packetsSent = 0;
  /** Bytes on the wire (RTP + 28 bytes of UDP/IPv4 header). */
  bytesSent = 0;

  constructor(
    private readonly packets: RecordedPacket[],
    readonly stream: number,
    readonly ssrc: number,
    firstSeq: number,
    private readonly sealer?: LiveFrameSealer,
  ) {
    this.seq = firstSeq;
    this.clockRate = stream === STREAM_AUDIO ? 48_000 : 90_000;
    this.firstUs = packets[0]!.atUs;
    this.loopMs = (packets.at(-1)!.atUs - this.firstUs) / 1000 + FRAME_GAP_MS;
    this.loopTicks = packets.at(-1)!.rtpTs + Math.round((FRAME_GAP_MS * this.clockRate) / 1000);
  }

  restart(nowMs: number): void {
    this.index = 0;
    this.loopStartMs = nowMs;
    this.tsBase = this.packetsSent === 0 ? this.tsBase : (this.lastTs + Math.max(1, Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000))) >>> 0;
  }

  /** Writes every packet due by `nowMs` into `scratch` and hands it to `send`. */
  pump(nowMs: number, scratch: Buffer, botIndex: number, audioLevel: number, send: (packet: Buffer) => void): void {
    if (this.paused) return;
    for (;;) {
      if (this.index === this.packets.length) {
        this.index = 0;
        this.loopStartMs += this.loopMs;
        this.tsBase = (this.tsBase + this.loopTicks) >>> 0;
      }
      const p = this.packets[this.index]!;
      if ((p.atUs - this.firstUs) / 1000 > nowMs - this.loopStartMs) return;
      const payload = this.sealer ? this.sealedPayload(p) : p.payload;
      this.index++;
      const ts = (this.tsBase + p.rtpTs) >>> 0;
      const len = this.write(scratch, p, payload, ts, nowMs, botIndex, audioLevel);
      this.lastTs = ts;
      this.lastSentMs = nowMs;
      this.packetsSent++;
      this.bytesSent += len + 28;
      send(scratch.subarray(0, len));
    }
  }

  /** At a frame's first packet, seals the whole frame (its packets share one RTP timestamp). */
  private sealedPayload(p: RecordedPacket): Buffer {
    const startsFrame = this.index === 0 || this.packets[this.index - 1]!.rtpTs !== p.rtpTs || this.frameAt >= this.framePayloads.length;
    if (startsFrame) {
      let end = this.index + 1;
      while (end < this.packets.length && this.packets[end]!.rtpTs === p.rtpTs) end++;
      this.framePayloads = this.sealer!.seal(this.stream, this.packets.slice(this.index, end));
      this.frameAt = 0;
    }
    return this.framePayloads[this.frameAt++]!;
  }

  private write(b: Buffer, p: RecordedPacket, payload: Buffer, ts: number, nowMs: number, botIndex: number, audioLevel: number): number {
    const audio = this.stream === STREAM_AUDIO;
    const extWords = audio ? 2 : 1;
    // Two CSRC words carry what subscribers check, because the relay blanks every header
    // extension (ids differ per browser): [origin: bot index, stream] and the send time.
    b[0] = 0x92;
    b[1] = (p.marker ? 0x80 : 0) | (audio ? OPUS_PT : VP8_PT);
    b.writeUInt16BE(this.seq, 2);
    this.seq = (this.seq + 1) & 0xffff;
    b.writeUInt32BE(ts, 4);
    b.writeUInt32BE(this.ssrc, 8);
    b.writeUInt32BE(((botIndex & 0xffff) << 16) | (this.stream & 0xffff), CSRC_ORIGIN_AT);
    b.writeUInt32BE(Math.floor(nowMs) >>> 0, CSRC_SENT_MS_AT);
    b.writeUInt16BE(0xbede, 20);
    b.writeUInt16BE(extWords, 22);
    let at = 24;
    const abs = Math.round((nowMs / 1000) * (1 << 18)) & 0xffffff;
    b[at++] = (EXT_ABS_SEND_TIME << 4) | 2;
    b[at++] = (abs >> 16) & 0xff;
    b[at++] = (abs >> 8) & 0xff;
    b[at++] = abs & 0xff;
    if (audio) {
      b[at++] = (EXT_AUDIO_LEVEL << 4) | 0;
      b[at++] = audioLevel & 0x7f;
    }
    const payloadAt = 24 + extWords * 4;
    b.fill(0, at, payloadAt);
    payload.copy(b, payloadAt);
    return payloadAt + payload.length;
  }
}

/** One player per recorded stream: audio, then low, mid, high video. */
export function playersFor(recording: Recording, ssrcs: number[], random: () => number, sealer?: LiveFrameSealer): StreamPlayer[] {
  return recording.streams.map((packets, stream) => new StreamPlayer(packets, stream, ssrcs[stream]!, Math.floor(random() * 0x10000), sealer));
}
