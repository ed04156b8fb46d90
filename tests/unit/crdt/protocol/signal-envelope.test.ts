import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';

describe('signal envelopes from other peers are checked before use', () => {
  it('accepts each well-formed signal kind', () => {
    const ok = [
      { v: 1, from: 'a', msg: { kind: 'announce', key: 'K', proof: [], instance: 'i' } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'bye' } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'description', description: { type: 'offer', sdp: 'v=0' }, key: 'K', sig: 'S' } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'refused', reason: 'locked', records: [{}] } },
      { v: 1, from: 'a', msg: { kind: 'knock', key: 'K', name: 'Dave' } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'decision', records: [] } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp', sdpMid: '0' } } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'candidate', candidate: null } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'description', description: { type: 'answer', sdp: 'v=0' }, key: 'K', sig: 'S', dial: 1764000000000 } },
      { v: 1, from: 'a', to: 'b', msg: { kind: 'candidate', candidate: null, dial: 1764000000000 } },
    ];
    for (const e of ok) expect(parseEnvelope(e), JSON.stringify(e)).toEqual(e);
  });

  it('rejects malformed, oversized and unknown signals', () => {
    const bad: unknown[] = [
      null,
      'string',
      42,
      [],
      {},
      { v: 2, from: 'a', msg: { kind: 'announce' } },
      { v: 1, from: 7, msg: { kind: 'announce' } },
      { v: 1, from: 'x'.repeat(65), msg: { kind: 'announce' } },
      { v: 1, from: 'a', to: 5, msg: { kind: 'announce' } },
      { v: 1, from: 'a', msg: null },
      { v: 1, from: 'a', msg: { kind: 'explode' } },
      { v: 1, from: 'a', msg: { kind: 'description', description: null } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'nope', sdp: '' } } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'offer', sdp: 5 } } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(200_001) } } },
      { v: 1, from: 'a', msg: { kind: 'candidate', candidate: { candidate: 3 } } },
      { v: 1, from: 'a', msg: { kind: 'candidate', candidate: 'candidate:1' } },
      { v: 1, from: 'a', msg: { kind: 'announce', key: 'K', proof: [] } },
      { v: 1, from: 'a', msg: { kind: 'announce', key: 'K'.repeat(129), proof: [], instance: 'i' } },
      { v: 1, from: 'a', msg: { kind: 'announce', key: 'K', proof: new Array(65).fill({}), instance: 'i' } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'offer', sdp: 'v=0' }, key: 'K', sig: 5 } },
      { v: 1, from: 'a', msg: { kind: 'refused', reason: 'because', records: [] } },
      { v: 1, from: 'a', msg: { kind: 'refused', reason: 'locked', records: 'all' } },
      { v: 1, from: 'a', msg: { kind: 'knock', key: 'K', name: 7 } },
      { v: 1, from: 'a', msg: { kind: 'decision' } },
      { v: 1, from: 'a', msg: { kind: 'candidate', candidate: null, dial: '1' } },
      { v: 1, from: 'a', msg: { kind: 'description', description: { type: 'offer', sdp: 'v=0' }, key: 'K', sig: 'S', dial: null } },
    ];
    for (const e of bad) expect(parseEnvelope(e), JSON.stringify(e)?.slice(0, 80)).toBeNull();
  });
});
