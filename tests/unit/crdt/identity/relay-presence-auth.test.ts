import { afterEach, describe, expect, it, vi } from 'vitest';
import { RelayDirectory } from '../../../../client/src/topology/relay-election';
import { SignedSignals } from '../../../../client/src/signaling/signed-signals';
import { newSigningIdentity, sign } from '../../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../../crdt/identity/participant-identity';
import { RELAY_REPLAY_WINDOW_MS, RelayPresenceSigner } from '../../../../crdt/identity/relay-presence-auth';
import { relayIdFor, serverRelayIdFor, type RelaySignal } from '../../../../crdt/protocol/relay-presence';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';
import type { SignalEnvelope } from '../../../../crdt/protocol/wire';
import { signedRelay, TEST_ROOM_ID } from '../../../support/signed-relay';

const RELAY_URL = 'wss://relay.example/relay';
const ORIGIN_URL = 'wss://confab.example/relay';

/**
 * A page as it takes relay signals off the wire (after unsealing): the envelope parser, its
 * signal guard (verify, then admit in arrival order) and the relays it knows.
 */
async function page() {
  const identity = await newSigningIdentity();
  const id = await peerIdForKey(identity.publicKey);
  const signals = new SignedSignals(TEST_ROOM_ID, id, identity);
  const relays = new RelayDirectory();
  relays.setOrigin({ id: await serverRelayIdFor(ORIGIN_URL), url: ORIGIN_URL, meshMax: 6 });
  return {
    id,
    relays,
    /** True when the page took the signal (what it knows may not change: see `relays`). */
    async hears(value: unknown, nowMs = 0): Promise<boolean> {
      const envelope = parseEnvelope(JSON.parse(JSON.stringify(value)));
      if (!envelope) return false;
      if (!signals.admit(envelope, await signals.verify(envelope))) return false;
      relays.heard(envelope.msg as RelaySignal, nowMs);
      return true;
    },
    knows: (relayId: string) => relays.known(0).some((r) => r.id === relayId),
  };
}

/** A relay signal as a relay sends it: `from` is its id. */
const envelope = (msg: RelaySignal, to?: string): SignalEnvelope => ({ v: 1, from: msg.relay.id, ...(to ? { to } : {}), msg });

afterEach(() => {
  vi.useRealTimers();
});

describe('relay presence signed by the relay’s own key (issue 13, attack 10)', () => {
  it('attack 10: a forged relay-bye (unsigned, or signed by another key) ends nothing; the relay’s own does', async () => {
    const p = await page();
    const relayKey = await newSigningIdentity();
    const relay = await RelayPresenceSigner.create(TEST_ROOM_ID, relayKey, RELAY_URL, 6);
    const { id } = relay.announcement;
    expect(await p.hears(envelope(await relay.signal('relay')))).toBe(true);
    expect(p.knows(id)).toBe(true);

    const attacker = await newSigningIdentity();
    const genuineBye = await relay.signal('relay-bye');
    const forgeries: unknown[] = [
      // The goodbye of version 1, unsigned.
      { v: 1, from: id, msg: { kind: 'relay-bye', id } },
      // The relay's announcement with no proof.
      { v: 1, from: id, msg: { kind: 'relay-bye', relay: relay.announcement } },
      // The relay's id and key, the attacker's signature over the very bytes a goodbye signs.
      envelope({ ...genuineBye, sig: await sign(attacker, new TextEncoder().encode(JSON.stringify(['confab/relay-presence/v2', TEST_ROOM_ID, 'relay-bye', id, RELAY_URL, 6, relay.announcement.key, genuineBye.seq + 1]))), seq: genuineBye.seq + 1 }),
      // The relay's id, the attacker's key (and a valid signature by it).
      envelope({ ...(await (await RelayPresenceSigner.create(TEST_ROOM_ID, attacker, RELAY_URL, 6)).signal('relay-bye')), relay: { ...relay.announcement, key: attacker.publicKey } }),
      // An announcement's signature passed off as a goodbye.
      envelope({ ...(await relay.signal('relay')), kind: 'relay-bye' }),
      // The relay's goodbye for another room.
      envelope(await (await RelayPresenceSigner.create('another-room-id-xxxxxx', relayKey, RELAY_URL, 6)).signal('relay-bye')),
    ];
    for (const forged of forgeries) expect(await p.hears(forged), JSON.stringify(forged).slice(0, 120)).toBe(false);
    expect(p.knows(id)).toBe(true);

    expect(await p.hears(envelope(genuineBye))).toBe(true);
    expect(p.knows(id)).toBe(false);
  });

  it('attack 10: a replayed goodbye does not end a relay that came back; a replayed announcement does not bring back one that left', async () => {
    const p = await page();
    const relay = await signedRelay(RELAY_URL, 6);
    const { id } = relay.announcement;
    const firstHello = await relay.signal('relay');
    const firstBye = await relay.signal('relay-bye');
    expect(await p.hears(envelope(firstHello))).toBe(true);
    expect(await p.hears(envelope(firstBye))).toBe(true);
    expect(await p.hears(envelope(firstHello))).toBe(false); // the announcement from before its goodbye
    expect(p.knows(id)).toBe(false);

    // It comes back (the same key, kept in its data directory): a newer announcement counts.
    const back = await relay.signal('relay');
    expect(await p.hears(envelope(back))).toBe(true);
    expect(p.knows(id)).toBe(true);
    expect(await p.hears(envelope(firstBye))).toBe(false); // the old goodbye, replayed
    expect(await p.hears(envelope(back))).toBe(false); // the same signal twice
    expect(p.knows(id)).toBe(true);
  });

  it('attack 10: an announcement captured long ago is refused once the relay has been heard since', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    const p = await page();
    const relay = await signedRelay(RELAY_URL, 6);
    const old = await relay.signal('relay');
    vi.setSystemTime(1_700_000_000_000 + RELAY_REPLAY_WINDOW_MS);
    expect(await p.hears(envelope(await relay.signal('relay')))).toBe(true);
    expect(await p.hears(envelope(old))).toBe(false);
    // Within the window, signals that cross on the way (broadcast and direct answers) still count.
    vi.setSystemTime(1_700_000_000_000 + RELAY_REPLAY_WINDOW_MS + 10);
    const [a, b] = [await relay.signal('relay'), await relay.signal('relay')];
    expect(await p.hears(envelope(b))).toBe(true);
    expect(await p.hears(envelope(a))).toBe(true);
  });

  it('attack 10: an announcement claiming another relay’s id with the attacker’s own key is refused; its own URL under its own key is another relay', async () => {
    const p = await page();
    const victim = await signedRelay(RELAY_URL, 6);
    const attacker = await signedRelay('ws://198.51.100.9:9000/relay', 1);
    const own = await attacker.signal('relay');
    const claimed = { ...own, relay: { ...own.relay, id: victim.announcement.id } };
    expect(await p.hears({ v: 1, from: victim.announcement.id, msg: claimed })).toBe(false);
    expect(await p.hears({ v: 1, from: victim.announcement.id, msg: { ...claimed, relay: { ...claimed.relay, url: RELAY_URL } } })).toBe(false);
    // Sent in the victim's name, its own id inside: not from the relay it names.
    expect(await p.hears({ v: 1, from: victim.announcement.id, msg: own })).toBe(false);
    expect(p.knows(victim.announcement.id)).toBe(false);
    // The victim's URL under the attacker's key: a relay of another id, which an approval of the victim does not name.
    const clone = await signedRelay(RELAY_URL, 1);
    expect(clone.announcement.id).not.toBe(victim.announcement.id);
    expect(clone.announcement.id).toBe(await relayIdFor(RELAY_URL, clone.announcement.key));
    // Signed fields cannot be changed: mesh limit, URL, seq.
    const genuine = await victim.signal('relay');
    for (const altered of [{ ...genuine, relay: { ...genuine.relay, meshMax: 1 } }, { ...genuine, seq: genuine.seq + 60_000 }]) {
      expect(await p.hears(envelope(altered))).toBe(false);
    }
  });

  it('a genuine announcement counts, broadcast or sent to this page; sent to another peer it does not', async () => {
    const p = await page();
    const relay = await signedRelay(RELAY_URL, 6);
    expect(await p.hears(envelope(await relay.signal('relay'), 'another-peer-id1'))).toBe(false);
    expect(await p.hears(envelope(await relay.signal('relay'), p.id))).toBe(true);
    expect(await p.hears(envelope(await relay.signal('relay')))).toBe(true);
    expect(p.relays.known(0).find((r) => r.id === relay.announcement.id)).toMatchObject({ url: RELAY_URL, meshMax: 6, origin: false });
  });

  it('nobody speaks for the room server’s own relay: a signed announcement or goodbye under its URL changes nothing', async () => {
    const p = await page();
    const clone = await signedRelay(ORIGIN_URL, 1);
    await p.hears(envelope(await clone.signal('relay')));
    await p.hears(envelope(await clone.signal('relay-bye')));
    expect(p.relays.known(0)).toEqual([{ id: await serverRelayIdFor(ORIGIN_URL), url: ORIGIN_URL, meshMax: 6, origin: true, heardAtMs: Infinity }]);
  });
});
