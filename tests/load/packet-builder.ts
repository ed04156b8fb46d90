/** Builds RTP packets for bots and unit tests (RFC 3550 header, RFC 8285 one-byte extensions). */

/** Header extension ids the bots negotiate and write. */
export const EXT_AUDIO_LEVEL = 1;
export const EXT_ABS_SEND_TIME = 2;

export interface RtpFields {
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  /** One-byte-form extension elements, id 1–14, 1–16 bytes each. */
  extensions?: { id: number; data: number[] }[];
  payload: Uint8Array;
  /** Padding bytes to append (sets the P bit). */
  padding?: number;
}

export function buildRtp(f: RtpFields): Buffer {
  const ext = f.extensions ?? [];
  const extBytes = ext.reduce((n, e) => n + 1 + e.data.length, 0);
  const extWords = Math.ceil(extBytes / 4);
  const headerLen = 12 + (ext.length ? 4 + extWords * 4 : 0);
  const padding = f.padding ?? 0;
  const buf = Buffer.alloc(headerLen + f.payload.length + padding);
  buf[0] = 0x80 | (ext.length ? 0x10 : 0) | (padding ? 0x20 : 0);
  buf[1] = (f.marker ? 0x80 : 0) | f.payloadType;
  buf.writeUInt16BE(f.seq & 0xffff, 2);
  buf.writeUInt32BE(f.timestamp >>> 0, 4);
  buf.writeUInt32BE(f.ssrc >>> 0, 8);
  if (ext.length) {
    buf.writeUInt16BE(0xbede, 12);
    buf.writeUInt16BE(extWords, 14);
    let at = 16;
    for (const e of ext) {
      buf[at++] = (e.id << 4) | (e.data.length - 1);
      for (const b of e.data) buf[at++] = b;
    }
  }
  buf.set(f.payload, headerLen);
  if (padding) buf[buf.length - 1] = padding;
  return buf;
}

/** abs-send-time: 24-bit 6.18 fixed-point seconds, wrapping every 64 s. */
export function absSendTime(nowMs: number): number[] {
  const v = Math.round((nowMs / 1000) * (1 << 18)) & 0xffffff;
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

/** ms elapsed since an abs-send-time value, given the current time (same clock). */
export function msSinceAbsSendTime(b0: number, b1: number, b2: number, nowMs: number): number {
  const sent = (b0 << 16) | (b1 << 8) | b2;
  const now = Math.round((nowMs / 1000) * (1 << 18)) & 0xffffff;
  return ((((now - sent) & 0xffffff) * 1000) / (1 << 18));
}

/** A VP8 payload: descriptor with a 15-bit picture id, then the VP8 header's first byte. */
export function vp8Payload(opts: { start: boolean; keyframe: boolean; pictureId?: number; size?: number }): Uint8Array {
  const size = Math.max(5, opts.size ?? 20);
  const p = new Uint8Array(size);
  p[0] = 0x80 | (opts.start ? 0x10 : 0); // X, S, PID 0
  p[1] = 0x80; // I: picture id present
  const pid = opts.pictureId ?? 0;
  p[2] = 0x80 | ((pid >> 8) & 0x7f);
  p[3] = pid & 0xff;
  p[4] = opts.keyframe ? 0x10 : 0x11; // P bit: 0 on a keyframe
  return p;
}

/** A Picture Loss Indication (RFC 4585 §6.3.1): "send me a keyframe of `mediaSsrc`". */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81; // V=2, FMT=1
  b[1] = 206; // PSFB
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  return b;
}
