/**
 * What the relay reads in RTCP coming back from subscribers: keyframe requests (PLI, FIR) and
 * NACKs. Compound packets are walked in place.
 */
export const RTCP_RTPFB = 205;
export const RTCP_PSFB = 206;

export interface RtcpFeedbackSink {
  keyframe(mediaSsrc: number): void;
  nack(mediaSsrc: number, seq: number): void;
}

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Walks a (compound) RTCP packet and reports keyframe requests and NACKed sequence numbers. */
export function readRtcpFeedback(buf: Uint8Array, sink: RtcpFeedbackSink): void {
  let at = 0;
  while (at + 4 <= buf.length) {
    if (buf[at]! >> 6 !== 2) return;
    const fmt = buf[at]! & 0x1f;
    const pt = buf[at + 1]!;
    const end = at + 4 + ((buf[at + 2]! << 8) | buf[at + 3]!) * 4;
    if (end > buf.length) return;
    if (end >= at + 12) {
      const mediaSsrc = u32(buf, at + 8);
      if (pt === RTCP_PSFB && fmt === 1) sink.keyframe(mediaSsrc);
      else if (pt === RTCP_PSFB && fmt === 4 && end >= at + 16) sink.keyframe(u32(buf, at + 12)); // FIR: SSRC in the FCI
      else if (pt === RTCP_RTPFB && fmt === 1) {
        for (let fci = at + 12; fci + 4 <= end; fci += 4) {
          const pid = (buf[fci]! << 8) | buf[fci + 1]!;
          const blp = (buf[fci + 2]! << 8) | buf[fci + 3]!;
          sink.nack(mediaSsrc, pid);
          for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) sink.nack(mediaSsrc, (pid + bit + 1) & 0xffff);
        }
      }
    }
    at = end;
  }
}
