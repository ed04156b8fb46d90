/**
 * Video codecs with VP8 first. The frame encryption keeps VP8's payload header in the clear
 * (frame-crypto.ts); an encrypted H.264 frame hides its start codes, and the sender's
 * packetizer then finds no NAL units to send. Chromium and Firefox offer VP8 first anyway;
 * Safari offers H.264 first, so a mesh link Safari opens would otherwise settle on H.264.
 */
export function vp8First<T extends { mimeType: string }>(codecs: readonly T[]): T[] {
  const isVp8 = (c: T) => c.mimeType.toLowerCase() === 'video/vp8';
  return [...codecs.filter(isVp8), ...codecs.filter((c) => !isVp8(c))];
}

/** Puts VP8 first on a video transceiver, where the browser lets a page order its codecs. */
export function preferVp8(t: RTCRtpTransceiver): void {
  if (typeof t.setCodecPreferences !== 'function' || typeof RTCRtpReceiver === 'undefined') return;
  const codecs = RTCRtpReceiver.getCapabilities?.('video')?.codecs ?? [];
  if (codecs[0]?.mimeType.toLowerCase() === 'video/vp8' || !codecs.some((c) => c.mimeType.toLowerCase() === 'video/vp8')) return;
  t.setCodecPreferences(vp8First(codecs));
}
