import { describe, expect, it } from 'vitest';
import { advertisePublicAddress } from '../../../../relay/sfu/public-address';

const answer = [
  'v=0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:0',
  'a=candidate:1 1 UDP 2122317823 10.0.0.5 40001 typ host',
  'a=candidate:2 1 UDP 2122317567 fd00::5 40001 typ host',
  'a=candidate:3 1 UDP 1686052607 198.51.100.7 40001 typ srflx raddr 10.0.0.5 rport 40001',
  'a=end-of-candidates',
  '',
].join('\r\n');

describe('advertisePublicAddress', () => {
  it('gives each IPv4 host candidate a twin at the public address, same port, just below in priority', () => {
    const out = advertisePublicAddress(answer, '203.0.113.9');
    const candidates = out.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    expect(candidates).toEqual([
      'a=candidate:1 1 UDP 2122317823 10.0.0.5 40001 typ host',
      'a=candidate:1p 1 UDP 2122317822 203.0.113.9 40001 typ host',
      'a=candidate:2 1 UDP 2122317567 fd00::5 40001 typ host',
      'a=candidate:3 1 UDP 1686052607 198.51.100.7 40001 typ srflx raddr 10.0.0.5 rport 40001',
    ]);
    expect(out.endsWith('a=end-of-candidates\r\n')).toBe(true);
  });

  it('adds nothing when the host candidate already is the public address', () => {
    expect(advertisePublicAddress(answer, '10.0.0.5')).toBe(answer);
  });

  it('keeps the line endings it was given', () => {
    const lf = answer.replaceAll('\r\n', '\n');
    expect(advertisePublicAddress(lf, '203.0.113.9')).not.toContain('\r');
  });
});
