/**
 * VP8 RTP payload descriptor (RFC 7741 §4.2) and keyframe detection, read in place.
 *
 *   X R N S R PID   | I L T K RSV | M PictureID(7/15) | TL0PICIDX | TID Y KEYIDX
 * then the VP8 payload header, whose first byte's low bit P is 0 on a keyframe.
 */

/** Length of the payload descriptor starting at `at`, or -1 if it runs past `end`. */
export function vp8DescriptorLength(buf: Uint8Array, at: number, end: number): number {
  if (at >= end) return -1;
  const b0 = buf[at]!;
  let len = 1;
  if (b0 & 0x80) {
    if (at + 1 >= end) return -1;
    const x = buf[at + 1]!;
    len++;
    if (x & 0x80) {
      if (at + len >= end) return -1;
      len += buf[at + len]! & 0x80 ? 2 : 1; // M bit: 15-bit picture id
    }
    if (x & 0x40) len++; // L: TL0PICIDX
    if (x & 0x30) len++; // T or K: TID/Y/KEYIDX
  }
  return at + len <= end ? len : -1;
}

/**
 * True for the first packet of a keyframe: S=1 and partition index 0, and the VP8 payload
 * header's P bit is 0. Layer switches happen only on such a packet.
 */
export function isVp8KeyframeStart(buf: Uint8Array, at: number, end: number): boolean {
  const len = vp8DescriptorLength(buf, at, end);
  if (len < 0 || at + len >= end) return false;
  const b0 = buf[at]!;
  if ((b0 & 0x10) === 0 || (b0 & 0x0f) !== 0) return false;
  return (buf[at + len]! & 0x01) === 0;
}

/** True when the packet starts a new frame (S=1, partition 0): where a frame may begin. */
export function isVp8FrameStart(buf: Uint8Array, at: number): boolean {
  const b0 = buf[at]!;
  return (b0 & 0x10) !== 0 && (b0 & 0x0f) === 0;
}
