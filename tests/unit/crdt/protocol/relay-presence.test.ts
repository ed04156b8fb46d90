import { describe, expect, it } from 'vitest';
import { newSigningIdentity } from '../../../../crdt/identity/host-identity';
import { verifyRelaySignal } from '../../../../crdt/identity/relay-presence-auth';
import { parseRelaySignal, relayAnnouncement, relayControlUrl, relayIdFor, serverRelayIdFor } from '../../../../crdt/protocol/relay-presence';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink } from '../../../../crdt/identity/room-link';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';
import type { RelaySignal } from '../../../../crdt/protocol/relay-presence';
import { RoomPresence } from '../../../../relay/join/room-presence';
import { prng } from '../../../support/prng';
import { signedRelay } from '../../../support/signed-relay';

const URL_A = 'ws://127.0.0.1:9001/relay';

describe('relay announcements', () => {
  it('a relay id is a hash of its control URL and its key: the same everywhere, different per URL and per key', async () => {
    const [k1, k2] = (await Promise.all([newSigningIdentity(), newSigningIdentity()])).map((k) => k.publicKey);
    const id = await relayIdFor(URL_A, k1!);
    expect(id).toMatch(/^[\w-]{16}$/);
    expect(await relayIdFor(URL_A, k1!)).toBe(id);
    expect(await relayIdFor('ws://127.0.0.1:9002/relay', k1!)).not.toBe(id);
    expect(await relayIdFor(URL_A, k2!)).not.toBe(id);
    // The room server's own relay (no key) is named in a namespace of its own.
    expect(await serverRelayIdFor(URL_A)).not.toBe(id);
    expect(await relayAnnouncement(URL_A, 6, k1!)).toEqual({ v: 2, id, url: URL_A, meshMax: 6, key: k1 });
    await expect(relayAnnouncement('https://x/', 6, k1!)).rejects.toThrow(/not a relay control URL/);
  });

  it('only ws(s)://…/relay without credentials, query or fragment is a relay URL', () => {
    expect(relayControlUrl('wss://relay.example:8443/confab/relay')).toBe('wss://relay.example:8443/confab/relay');
    for (const bad of ['https://x/relay', 'wss://x/signal', 'wss://u:p@x/relay', 'wss://x/relay?q', 'wss://x/relay#f', 'wss://x/' + 'a'.repeat(600) + '/relay', '', 'relay']) {
      expect(relayControlUrl(bad), bad).toBeNull();
    }
  });

  it('malformed, unsigned, old-version and oversized relay signals parse to null, never a throw', async () => {
    const signal = await (await signedRelay(URL_A, 6)).signal('relay');
    const good = signal.relay;
    expect(parseRelaySignal(signal)).toEqual(signal);
    expect(parseRelaySignal({ ...signal, kind: 'relay-bye' })).toEqual({ ...signal, kind: 'relay-bye' });
    const bad: unknown[] = [
      null, 7, 'relay', [], {},
      { kind: 'relay' },
      { kind: 'relay', relay: null },
      { kind: 'relay', relay: good }, // unsigned
      { kind: 'relay', relay: { v: 1, id: good.id, url: good.url, meshMax: 6 } }, // version 1 (unsigned)
      { kind: 'relay-bye', id: good.id }, // version 1 goodbye
      { ...signal, seq: -1 },
      { ...signal, seq: 1.5 },
      { ...signal, seq: '1' },
      { ...signal, sig: '' },
      { ...signal, sig: 'x'.repeat(5000) },
      { ...signal, kind: 'bye' },
      { ...signal, relay: { ...good, v: 1 } },
      { ...signal, relay: { ...good, v: 3 } },
      { ...signal, relay: { ...good, key: undefined } },
      { ...signal, relay: { ...good, key: 'short' } },
      { ...signal, relay: { ...good, key: 'x'.repeat(5000) } },
      { ...signal, relay: { ...good, id: 'short' } },
      { ...signal, relay: { ...good, id: 'x'.repeat(5000) } },
      { ...signal, relay: { ...good, url: 'https://evil.example/relay' } },
      { ...signal, relay: { ...good, url: `ws://h/${'a'.repeat(100_000)}/relay` } },
      { ...signal, relay: { ...good, url: 'WS://127.0.0.1:9001/relay' } }, // not in normal form
      { ...signal, relay: { ...good, meshMax: 0 } },
      { ...signal, relay: { ...good, meshMax: 2.5 } },
      { ...signal, relay: { ...good, meshMax: '6' } },
      { ...signal, relay: { ...good, meshMax: 1e9 } },
    ];
    for (const msg of bad) expect(parseRelaySignal(msg), JSON.stringify(msg)?.slice(0, 80)).toBeNull();
    // Random junk of every shape: never a throw.
    const rand = prng(7);
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.2) return [null, 0, -1, 'relay', 'relay-bye', true, 'x'.repeat(Math.floor(rand() * 200))][Math.floor(rand() * 7)];
      if (r < 0.4) return [junk(depth + 1), junk(depth + 1)];
      return { kind: rand() < 0.5 ? 'relay' : 'relay-bye', relay: junk(depth + 1), id: junk(depth + 1), v: 2, url: junk(depth + 1), meshMax: junk(depth + 1), key: junk(depth + 1), seq: junk(depth + 1), sig: junk(depth + 1) };
    };
    for (let i = 0; i < 500; i++) {
      const msg = junk(0);
      expect(() => parseRelaySignal(msg)).not.toThrow();
      expect(() => parseEnvelope({ v: 1, from: 'x', msg })).not.toThrow();
    }
    // The client's envelope parser takes a signed one (old clients drop the new version).
    expect(parseEnvelope({ v: 1, from: good.id, msg: signal })).not.toBeNull();
    expect(parseEnvelope({ v: 1, from: good.id, msg: { kind: 'relay', relay: good } })).toBeNull();
  });

  it('an announcement sealed for another room opens to nothing', async () => {
    const link = newRoomLink();
    const [mine, foreign] = await Promise.all([deriveRoomKeys(link), deriveRoomKeys(newRoomLink())]);
    const a = await (await signedRelay(URL_A, 6, link.roomId)).signal('relay');
    const sealed = await foreign.seal({ v: 1, from: a.relay.id, msg: a });
    expect(await mine.open(sealed)).toBeNull();
    expect(parseEnvelope(await mine.open(sealed))).toBeNull();
  });
});

describe('a joined relay’s presence in the room', () => {
  async function setup() {
    const link = newRoomLink();
    const keys = await deriveRoomKeys(link);
    const sent: { topic: string; value: unknown }[] = [];
    const signer = await signedRelay(URL_A, 4, link.roomId);
    const presence = new RoomPresence(keys, signer, {
      publish: async (topic, data) => {
        sent.push({ topic, value: await keys.open(data) });
        return true;
      },
    });
    return { link, keys, sent, presence, signer };
  }

  it('answers a participant’s announce on its own topic, at most once a second each', async () => {
    const { link, keys, sent, presence } = await setup();
    const hello = await keys.seal({ v: 1, from: 'peerA', msg: { kind: 'announce', key: 'k', proof: [], instance: 'i' } });
    await presence.receive(keys.roomTopic, hello, 1_000);
    await presence.receive(keys.roomTopic, hello, 1_500);
    await presence.receive(keys.roomTopic, hello, 2_100);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.topic).toBe(await keys.peerTopic('peerA'));
    expect(sent[0]!.value).toMatchObject({ v: 1, to: 'peerA', msg: { kind: 'relay', relay: { url: URL_A, meshMax: 4 } } });
    // Each answer signed anew: a fresh seq, and it verifies for the peer it was sent to.
    const [first, second] = sent.map((s) => parseEnvelope(s.value) as { from: string; to?: string; msg: RelaySignal });
    expect(second!.msg.seq).toBeGreaterThan(first!.msg.seq);
    expect(await verifyRelaySignal(link.roomId, first!, 'peerA')).toBe('ok');
    expect(await verifyRelaySignal(link.roomId, first!, 'peerB')).toBe('not for us');
    presence.stop();
  });

  it('ignores what is not a participant’s announce: other topics, other rooms, garbage, huge frames', async () => {
    const { keys, sent, presence } = await setup();
    const foreign = await deriveRoomKeys(newRoomLink());
    const announce = { v: 1, from: 'peerA', msg: { kind: 'announce' } };
    const inputs: [string, unknown][] = [
      ['other-topic', await keys.seal(announce)],
      [keys.roomTopic, await foreign.seal(announce)],
      [keys.roomTopic, 'confab:undecryptable:v1'],
      [keys.roomTopic, '!!!'],
      [keys.roomTopic, { an: 'object' }],
      [keys.roomTopic, 'A'.repeat(70_000)],
      [keys.roomTopic, await keys.seal({ ...announce, to: 'someone' })],
      [keys.roomTopic, await keys.seal({ ...announce, v: 2 })],
      [keys.roomTopic, await keys.seal({ ...announce, from: 'x'.repeat(65) })],
      [keys.roomTopic, await keys.seal({ v: 1, from: 'peerA', msg: { kind: 'bye' } })],
      [keys.roomTopic, await keys.seal(null)],
    ];
    for (const [topic, data] of inputs) await expect(presence.receive(topic, data)).resolves.toBeUndefined();
    expect(sent).toEqual([]);
    presence.stop();
  });

  it('announces on the room topic, and says goodbye there, both signed; nothing after the goodbye', async () => {
    const { link, keys, sent, presence, signer } = await setup();
    await presence.announce();
    await presence.goodbye();
    expect(sent.map((s) => s.topic)).toEqual([keys.roomTopic, keys.roomTopic]);
    const { id, key } = signer.announcement;
    expect(id).toBe(await relayIdFor(URL_A, key));
    const relay = { v: 2, id, url: URL_A, meshMax: 4, key };
    expect(sent[0]!.value).toMatchObject({ v: 1, from: id, msg: { kind: 'relay', relay } });
    expect(sent[1]!.value).toMatchObject({ v: 1, from: id, msg: { kind: 'relay-bye', relay } });
    for (const s of sent) expect(await verifyRelaySignal(link.roomId, parseEnvelope(s.value) as { from: string; msg: RelaySignal })).toBe('ok');
    await presence.announce();
    await presence.receive(keys.roomTopic, await keys.seal({ v: 1, from: 'late', msg: { kind: 'announce', key: 'k', proof: [], instance: 'i' } }));
    expect(sent).toHaveLength(2);
  });
});
