/**
 * RTP header access (RFC 3550) straight on the received bytes: no objects, no copies, so the
 * forwarding path allocates nothing per packet. Every reader assumes `isRtp(buf)` held.
 */

export const RTP_HEADER_BYTES = 12;

/** Version 2 and a payload type outside the RTCP range (RFC 5761 demultiplexing). */
export function isRtp(buf: Uint8Array): boolean {
  if (buf.length < RTP_HEADER_BYTES || buf[0]! >> 6 !== 2) return false;
  const pt = buf[1]! & 0x7f;
  return pt < 64 || pt > 95;
}

export const rtpPayloadType = (buf: Uint8Array): number => buf[1]! & 0x7f;
export const rtpMarker = (buf: Uint8Array): boolean => (buf[1]! & 0x80) !== 0;
export const rtpSeq = (buf: Uint8Array): number => (buf[2]! << 8) | buf[3]!;
export const rtpTimestamp = (buf: Uint8Array): number =>
  ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
export const rtpSsrc = (buf: Uint8Array): number =>
  ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;

export function setRtpPayloadType(buf: Uint8Array, pt: number): void {
  buf[1] = (buf[1]! & 0x80) | (pt & 0x7f);
}
export function setRtpSeq(buf: Uint8Array, seq: number): void {
  buf[2] = (seq >>> 8) & 0xff;
  buf[3] = seq & 0xff;
}
export function setRtpTimestamp(buf: Uint8Array, ts: number): void {
  buf[4] = (ts >>> 24) & 0xff;
  buf[5] = (ts >>> 16) & 0xff;
  buf[6] = (ts >>> 8) & 0xff;
  buf[7] = ts & 0xff;
}
export function setRtpSsrc(buf: Uint8Array, ssrc: number): void {
  buf[8] = (ssrc >>> 24) & 0xff;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}

/** Offset of the header extension block's profile word, or -1 when there is none. */
function extensionStart(buf: Uint8Array): number {
  if ((buf[0]! & 0x10) === 0) return -1;
  const at = RTP_HEADER_BYTES + (buf[0]! & 0x0f) * 4;
  return at + 4 <= buf.length ? at : -1;
}

/** Where the payload starts, or -1 if the header runs past the packet. */
export function rtpPayloadOffset(buf: Uint8Array): number {
  let at = RTP_HEADER_BYTES + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (at + 4 > buf.length) return -1;
    at += 4 + ((buf[at + 2]! << 8) | buf[at + 3]!) * 4;
  }
  return at <= buf.length ? at : -1;
}

/** Where the payload ends (padding removed), or -1 if the padding count is impossible. */
export function rtpPayloadEnd(buf: Uint8Array): number {
  if ((buf[0]! & 0x20) === 0) return buf.length;
  const end = buf.length - buf[buf.length - 1]!;
  return end >= RTP_HEADER_BYTES ? end : -1;
}

/**
 * Offset of the data of header extension `id` (RFC 8285, one-byte or two-byte form), or -1.
 * The element's length is at `rtpExtensionLength` of the same call's result.
 */
export function findRtpExtension(buf: Uint8Array, id: number): number {
  const start = extensionStart(buf);
  if (start < 0 || id <= 0) return -1;
  const profile = (buf[start]! << 8) | buf[start + 1]!;
  const end = start + 4 + ((buf[start + 2]! << 8) | buf[start + 3]!) * 4;
  if (end > buf.length) return -1;
  let at = start + 4;
  if (profile === 0xbede) {
    while (at < end) {
      const b = buf[at]!;
      if (b === 0) {
        at++; // padding
        continue;
      }
      const elementId = b >> 4;
      if (elementId === 15) return -1; // reserved: stop parsing
      const len = (b & 0x0f) + 1;
      if (elementId === id) return at + 1 + len <= end ? at + 1 : -1;
      at += 1 + len;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    while (at + 1 < end) {
      const elementId = buf[at]!;
      if (elementId === 0) {
        at++;
        continue;
      }
      const len = buf[at + 1]!;
      if (elementId === id) return at + 2 + len <= end ? at + 2 : -1;
      at += 2 + len;
    }
  }
  return -1;
}

/** Sequence-number order with wrap-around: is `a` after `b`? */
export const seqNewer = (a: number, b: number): boolean => a !== b && ((a - b) & 0xffff) < 0x8000;

/**
 * Turns every header extension of the packet into padding, in place (the block keeps its
 * length; a one-byte-form block of zeros carries no element, RFC 8285 §4.2). Extension ids
 * are per connection and per browser: Firefox sends abs-send-time as id 4, which a Chromium
 * subscriber reads as its MID and drops the packet for naming no m-line of its own. Nothing a
 * subscriber needs rides in them (the relay reads the audio level before this).
 */
export function blankRtpExtensions(buf: Uint8Array): void {
  const start = extensionStart(buf);
  if (start < 0) return;
  const end = Math.min(buf.length, start + 4 + ((buf[start + 2]! << 8) | buf[start + 3]!) * 4);
  buf[start] = 0xbe;
  buf[start + 1] = 0xde;
  buf.fill(0, start + 4, end);
}
