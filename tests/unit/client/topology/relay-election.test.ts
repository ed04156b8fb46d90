import { describe, expect, it } from 'vitest';
import { RELAY_FORGET_AFTER_MS, serverRelayIdFor } from '../../../../crdt/protocol/relay-presence';
import { signedRelay } from '../../../support/signed-relay';
import { electRelay, pickRelay, RELAY_FAILED_COOLDOWN_MS, RelayDirectory, roomMeshMax, type KnownRelay } from '../../../../client/src/topology/relay-election';
import { prng } from '../../../support/prng';

const relay = (id: string, opts: Partial<KnownRelay> = {}): KnownRelay => ({ id, url: `ws://${id}.example/relay`, meshMax: 6, origin: false, heardAtMs: 0, ...opts });
const none = new Map<string, number>();

function shuffled<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('relay election', () => {
  it('the same set in any order elects the same relay: joined relays by id, then the room server’s', () => {
    const set = [relay('m'), relay('c'), relay('a', { origin: true }), relay('x')];
    const rand = prng(42);
    for (let i = 0; i < 50; i++) expect(electRelay(shuffled(set, rand), none, 0)?.id).toBe('c');
    expect(electRelay([relay('a', { origin: true })], none, 0)?.id).toBe('a');
    expect(electRelay([], none, 0)).toBeNull();
  });

  it('skips relays marked failed until their cooldown ends; none left → null', () => {
    const set = [relay('b'), relay('c'), relay('a', { origin: true })];
    const failed = new Map([['b', 5_000]]);
    expect(electRelay(set, failed, 1_000)?.id).toBe('c');
    expect(electRelay(set, failed, 5_000)?.id).toBe('b');
    expect(electRelay(set, new Map([['b', 9e9], ['c', 9e9]]), 0)?.id).toBe('a');
    expect(electRelay(set, new Map([['a', 9e9], ['b', 9e9], ['c', 9e9]]), 0)).toBeNull();
  });

  it('follows the room document’s choice when it knows that relay and it has not failed; else stays; else elects', () => {
    const known = [relay('b'), relay('c'), relay('a', { origin: true })];
    const pick = (recordedUrl: string | null, current: KnownRelay | null, failed = none) => pickRelay({ known, failedUntilMs: failed, nowMs: 0, recordedUrl, current })?.id;
    expect(pick('ws://c.example/relay', null)).toBe('c');
    expect(pick('ws://c.example/relay', relay('b'))).toBe('c');
    expect(pick('ws://unknown.example/relay', null)).toBe('b'); // never follow a relay nobody announced to us
    expect(pick('ws://c.example/relay', null, new Map([['c', 1]]))).toBe('b');
    expect(pick(null, relay('a', { origin: true }))).toBe('a'); // a working relay is kept
    expect(pick(null, relay('b'), new Map([['b', 1]]))).toBe('c');
    // Two relays announce one URL (each under its own key): the one not failed is still that URL.
    const twins = [relay('a'), relay('b'), relay('t', { url: 'ws://b.example/relay' })];
    expect(pickRelay({ known: twins, failedUntilMs: new Map([['b', 1]]), nowMs: 0, recordedUrl: 'ws://b.example/relay', current: null })?.id).toBe('t');
  });

  it('the room’s mesh limit is its own server’s, else the smallest a joined relay announces', () => {
    expect(roomMeshMax([relay('b', { meshMax: 3 }), relay('a', { origin: true, meshMax: 8 })])).toBe(8);
    expect(roomMeshMax([relay('b', { meshMax: 4 }), relay('c', { meshMax: 3 })])).toBe(3);
    expect(roomMeshMax([])).toBeNull();
  });
});

describe('the relays a page knows', () => {
  it('forgets announced relays not heard from lately and those that said goodbye; never the server’s own', async () => {
    const dir = new RelayDirectory();
    dir.setOrigin({ id: 'origin', url: 'ws://o/relay', meshMax: 6 });
    const b = await signedRelay('ws://b.example/relay', 6);
    const c = await signedRelay('ws://c.example/relay', 6);
    const [bId, cId] = [b.announcement.id, c.announcement.id];
    expect(dir.heard(await b.signal('relay'), 0)).toBe(true);
    expect(dir.heard(await b.signal('relay'), 1_000)).toBe(false); // nothing new
    expect(dir.heard(await c.signal('relay'), 10_000)).toBe(true);
    expect(dir.known(10_000).map((r) => r.id).sort()).toEqual([bId, cId, 'origin'].sort());
    // b was last heard at 1 s: gone RELAY_FORGET_AFTER_MS later; c still there.
    expect(dir.known(1_000 + RELAY_FORGET_AFTER_MS).map((r) => r.id).sort()).toEqual([cId, 'origin'].sort());
    expect(dir.heard(await c.signal('relay-bye'), 20_000)).toBe(true);
    expect(dir.known(20_000).map((r) => r.id)).toEqual(['origin']);
    expect(dir.known(1e12).map((r) => r.id)).toEqual(['origin']);
    dir.setOrigin(null);
    expect(dir.known(0)).toEqual([]);
  });

  it('a relay announced with the server’s own URL (under any key) is not taken, heard before or after the welcome', async () => {
    const dir = new RelayDirectory();
    const clone = await signedRelay('ws://a.example/relay', 4);
    expect(dir.heard(await clone.signal('relay'), 0)).toBe(true); // no welcome yet
    const origin = { id: await serverRelayIdFor('ws://a.example/relay'), url: 'ws://a.example/relay', meshMax: 6 };
    dir.setOrigin(origin);
    expect(dir.known(0)).toEqual([{ ...origin, origin: true, heardAtMs: Infinity }]);
    expect(dir.heard(await clone.signal('relay'), 1_000)).toBe(false);
    expect(dir.heard(await clone.signal('relay-bye'), 2_000)).toBe(false);
    expect(dir.known(2_000)).toEqual([{ ...origin, origin: true, heardAtMs: Infinity }]);
  });

  it('marks relays failed for a cooldown and says when the first may be tried again', () => {
    const dir = new RelayDirectory();
    expect(dir.nextRetryAtMs(0)).toBeNull();
    dir.markFailed('b', 1_000);
    dir.markFailed('c', 2_000);
    expect(dir.nextRetryAtMs(1_500)).toBe(1_000 + RELAY_FAILED_COOLDOWN_MS);
    expect(dir.nextRetryAtMs(1_000 + RELAY_FAILED_COOLDOWN_MS)).toBe(2_000 + RELAY_FAILED_COOLDOWN_MS);
    expect(dir.nextRetryAtMs(1e9)).toBeNull();
  });

  it('peers that heard the same relays in different orders and times elect the same one', async () => {
    const urls = ['ws://10.0.0.1:8080/relay', 'ws://10.0.0.2:8080/relay', 'wss://relay.example/relay', 'ws://[::1]:9/relay'];
    const relays = await Promise.all(urls.map((u) => signedRelay(u, 6)));
    const announced = await Promise.all(relays.map((r) => r.signal('relay')));
    const rand = prng(9);
    const picks = new Set<string>();
    for (let peer = 0; peer < 20; peer++) {
      const dir = new RelayDirectory();
      dir.setOrigin({ id: 'zzzz-origin-zzzz', url: 'ws://origin/relay', meshMax: 6 });
      let t = 0;
      for (const a of shuffled(announced, rand)) dir.heard(a, (t += Math.floor(rand() * 5_000)));
      picks.add(electRelay(dir.known(t), dir.failedUntilMs, t)!.id);
    }
    expect(picks.size).toBe(1);
    expect([...picks][0]).toBe(announced.map((a) => a.relay.id).sort()[0]);
  });
});
