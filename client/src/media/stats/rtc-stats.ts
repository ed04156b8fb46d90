/** Sums read from getStats() reports: what tests, the bench and the debug hooks look at. */

/** Video frames decoded, and the widest frame now arriving (which layer, through the relay). */
export function inboundVideo(stats: RTCStatsReport | undefined): { frames: number; widthPx: number } {
  const out = { frames: 0, widthPx: 0 };
  stats?.forEach((r: { type: string; kind?: string; framesDecoded?: number; frameWidth?: number }) => {
    if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
    out.frames += r.framesDecoded ?? 0;
    out.widthPx = Math.max(out.widthPx, r.frameWidth ?? 0);
  });
  return out;
}

/** Audio packets sent so far on a connection. */
export function outboundAudioPackets(stats: RTCStatsReport): number {
  let sent = 0;
  stats.forEach((r: { type: string; kind?: string; packetsSent?: number }) => {
    if (r.type === 'outbound-rtp' && r.kind === 'audio') sent += r.packetsSent ?? 0;
  });
  return sent;
}
