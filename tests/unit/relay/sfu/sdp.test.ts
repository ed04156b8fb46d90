import { describe, expect, it } from 'vitest';
import { parseSdpMedia, withOpusDtx } from '../../../../relay/sfu/sdp';

const answer = (audioFmtp: string | null) =>
  [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    'a=rtpmap:111 opus/48000/2',
    ...(audioFmtp ? [`a=fmtp:111 ${audioFmtp}`] : []),
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:4',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10',
    '',
  ].join('\r\n');

describe('withOpusDtx', () => {
  it("adds usedtx=1 to the up audio's fmtp and leaves other m-lines alone", () => {
    const out = withOpusDtx(answer('minptime=10;useinbandfec=1'), '0', 111);
    expect(out).toContain('a=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n');
    expect(out).toContain('a=mid:4\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\n');
    expect(parseSdpMedia(out).map((m) => m.mid)).toEqual(['0', '4']);
  });

  it('writes an fmtp line when the answer has none', () => {
    expect(withOpusDtx(answer(null), '0', 111)).toContain('a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=1\r\nm=audio');
  });

  it('keeps a DTX choice already made, and an answer without that m-line', () => {
    expect(withOpusDtx(answer('usedtx=0'), '0', 111)).toBe(answer('usedtx=0'));
    expect(withOpusDtx(answer('minptime=10'), '9', 111)).toBe(answer('minptime=10'));
  });
});
