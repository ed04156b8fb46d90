/** The little the relay reads from a publisher's offer: per m-line its mid, codec payload types and header-extension ids. */

export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export interface SdpMedia {
  kind: string;
  mid: string;
  /** Payload type per lower-case codec name (the first one offered). */
  payloadTypes: Map<string, number>;
  /** Header-extension id per URI. */
  extensions: Map<string, number>;
  ssrcs: number[];
}

export function parseSdpMedia(sdp: string): SdpMedia[] {
  const media: SdpMedia[] = [];
  let current: SdpMedia | null = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      current = { kind: line.slice(2).split(' ')[0] ?? '', mid: '', payloadTypes: new Map(), extensions: new Map(), ssrcs: [] };
      media.push(current);
      continue;
    }
    if (!current) continue;
    let m: RegExpExecArray | null;
    if (line.startsWith('a=mid:')) current.mid = line.slice(6).trim();
    else if ((m = /^a=rtpmap:(\d+) ([^/\s]+)/.exec(line))) {
      const name = m[2]!.toLowerCase();
      if (!current.payloadTypes.has(name)) current.payloadTypes.set(name, Number(m[1]));
    } else if ((m = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(line))) current.extensions.set(m[2]!, Number(m[1]));
    else if ((m = /^a=ssrc:(\d+) /.exec(line))) {
      const ssrc = Number(m[1]);
      if (!current.ssrcs.includes(ssrc)) current.ssrcs.push(ssrc);
    }
  }
  return media;
}

/**
 * Asks the publisher to use Opus DTX on its up audio (`usedtx=1` in the answer's fmtp for the
 * m-line `mid`): a silent or muted microphone then sends about 2.5 packets/s instead of 50, so a
 * room of mostly quiet people costs the relay a fraction of its audio ingress.
 */
export function withOpusDtx(sdp: string, mid: string, payloadType: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections: string[][] = [[]];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) sections.push([]);
    sections[sections.length - 1]!.push(line);
  }
  const section = sections.find((lines, i) => i > 0 && lines.includes(`a=mid:${mid}`));
  if (section) {
    const fmtp = section.findIndex((l) => l.startsWith(`a=fmtp:${payloadType} `));
    const rtpmap = section.findIndex((l) => l.startsWith(`a=rtpmap:${payloadType} `));
    if (fmtp >= 0) {
      if (!/[; ]usedtx=/.test(section[fmtp]!)) section[fmtp] += ';usedtx=1';
    } else if (rtpmap >= 0) section.splice(rtpmap + 1, 0, `a=fmtp:${payloadType} usedtx=1`);
  }
  return sections.flat().join(eol);
}
