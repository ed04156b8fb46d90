import { describe, expect, it } from 'vitest';
import { checkRelaySignal, parseRelaySignal, relayAnnouncement, relayControlUrl, relayIdFor } from '../../../../crdt/protocol/relay-presence';
import { deriveRoomKeys } from '../../../../crdt/identity/room-keys';
import { newRoomLink } from '../../../../crdt/identity/room-link';
import { parseEnvelope } from '../../../../crdt/protocol/signal-envelope';
import { RoomPresence } from '../../../../relay/join/room-presence';
import { prng } from '../../../support/prng';

const URL_A = 'ws://127.0.0.1:9001/relay';

describe('relay announcements', () => {
  it('a relay id is a hash of its control URL: the same everywhere, different per URL', async () => {
    const id = await relayIdFor(URL_A);
    expect(id).toMatch(/^[\w-]{16}$/);
    expect(await relayIdFor(URL_A)).toBe(id);
    expect(await relayIdFor('ws://127.0.0.1:9002/relay')).not.toBe(id);
    expect(await relayAnnouncement(URL_A, 6)).toEqual({ v: 1, id, url: URL_A, meshMax: 6 });
    await expect(relayAnnouncement('https://x/', 6)).rejects.toThrow(/not a relay control URL/);
  });

  it('only ws(s)://…/relay without credentials, query or fragment is a relay URL', () => {
    expect(relayControlUrl('wss://relay.example:8443/confab/relay')).toBe('wss://relay.example:8443/confab/relay');
    for (const bad of ['https://x/relay', 'wss://x/signal', 'wss://u:p@x/relay', 'wss://x/relay?q', 'wss://x/relay#f', 'wss://x/' + 'a'.repeat(600) + '/relay', '', 'relay']) {
      expect(relayControlUrl(bad), bad).toBeNull();
    }
  });

  it('malformed and oversized relay signals parse to null, never a throw', async () => {
    const good = await relayAnnouncement(URL_A, 6);
    expect(parseRelaySignal({ kind: 'relay', relay: good })).toEqual({ kind: 'relay', relay: good });
    const bad: unknown[] = [
      null, 7, 'relay', [], {},
      { kind: 'relay' },
      { kind: 'relay', relay: null },
      { kind: 'relay', relay: { ...good, v: 2 } },
      { kind: 'relay', relay: { ...good, id: 'short' } },
      { kind: 'relay', relay: { ...good, id: 'x'.repeat(5000) } },
      { kind: 'relay', relay: { ...good, url: 'https://evil.example/relay' } },
      { kind: 'relay', relay: { ...good, url: `ws://h/${'a'.repeat(100_000)}/relay` } },
      { kind: 'relay', relay: { ...good, url: 'WS://127.0.0.1:9001/relay' } }, // not in normal form
      { kind: 'relay', relay: { ...good, meshMax: 0 } },
      { kind: 'relay', relay: { ...good, meshMax: 2.5 } },
      { kind: 'relay', relay: { ...good, meshMax: '6' } },
      { kind: 'relay', relay: { ...good, meshMax: 1e9 } },
      { kind: 'relay-bye' },
      { kind: 'relay-bye', id: 42 },
    ];
    for (const msg of bad) expect(parseRelaySignal(msg), JSON.stringify(msg)?.slice(0, 80)).toBeNull();
    // Random junk of every shape: never a throw.
    const rand = prng(7);
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.2) return [null, 0, -1, 'relay', 'relay-bye', true, 'x'.repeat(Math.floor(rand() * 200))][Math.floor(rand() * 7)];
      if (r < 0.4) return [junk(depth + 1), junk(depth + 1)];
      return { kind: rand() < 0.5 ? 'relay' : 'relay-bye', relay: junk(depth + 1), id: junk(depth + 1), v: 1, url: junk(depth + 1), meshMax: junk(depth + 1) };
    };
    for (let i = 0; i < 500; i++) {
      const msg = junk(0);
      expect(() => parseRelaySignal(msg)).not.toThrow();
      expect(() => parseEnvelope({ v: 1, from: 'x', msg })).not.toThrow();
      await expect(checkRelaySignal({ from: 'x', msg })).resolves.toBeNull();
    }
  });

  it('a relay signal holds only from the relay it names, whose id is its URL’s hash', async () => {
    const a = await relayAnnouncement(URL_A, 6);
    expect(await checkRelaySignal({ from: a.id, msg: { kind: 'relay', relay: a } })).toEqual({ kind: 'relay', relay: a });
    // Someone else's id with my URL (to take its place in the election), or sent in its name.
    const other = await relayIdFor('ws://127.0.0.1:9002/relay');
    expect(await checkRelaySignal({ from: other, msg: { kind: 'relay', relay: { ...a, id: other } } })).toBeNull();
    expect(await checkRelaySignal({ from: 'someone', msg: { kind: 'relay', relay: a } })).toBeNull();
    expect(await checkRelaySignal({ from: a.id, msg: { kind: 'relay-bye', id: a.id } })).toEqual({ kind: 'relay-bye', id: a.id });
    expect(await checkRelaySignal({ from: other, msg: { kind: 'relay-bye', id: a.id } })).toBeNull();
    // The client's envelope parser takes them (old clients drop unknown kinds).
    expect(parseEnvelope({ v: 1, from: a.id, msg: { kind: 'relay', relay: a } })).not.toBeNull();
    expect(parseEnvelope({ v: 1, from: a.id, msg: { kind: 'relay', relay: { ...a, meshMax: -1 } } })).toBeNull();
  });

  it('an announcement sealed for another room opens to nothing', async () => {
    const link = newRoomLink();
    const [mine, foreign] = await Promise.all([deriveRoomKeys(link), deriveRoomKeys(newRoomLink())]);
    const a = await relayAnnouncement(URL_A, 6);
    const sealed = await foreign.seal({ v: 1, from: a.id, msg: { kind: 'relay', relay: a } });
    expect(await mine.open(sealed)).toBeNull();
    expect(parseEnvelope(await mine.open(sealed))).toBeNull();
  });
});

describe('a joined relay’s presence in the room', () => {
  async function setup() {
    const link = newRoomLink();
    const keys = await deriveRoomKeys(link);
    const sent: { topic: string; value: unknown }[] = [];
    const presence = new RoomPresence(keys, await relayAnnouncement(URL_A, 4), {
      publish: async (topic, data) => {
        sent.push({ topic, value: await keys.open(data) });
        return true;
      },
    });
    return { link, keys, sent, presence };
  }

  it('answers a participant’s announce on its own topic, at most once a second each', async () => {
    const { keys, sent, presence } = await setup();
    const hello = await keys.seal({ v: 1, from: 'peerA', msg: { kind: 'announce', key: 'k', proof: [], instance: 'i' } });
    await presence.receive(keys.roomTopic, hello, 1_000);
    await presence.receive(keys.roomTopic, hello, 1_500);
    await presence.receive(keys.roomTopic, hello, 2_100);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.topic).toBe(await keys.peerTopic('peerA'));
    expect(sent[0]!.value).toMatchObject({ v: 1, to: 'peerA', msg: { kind: 'relay', relay: { url: URL_A, meshMax: 4 } } });
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

  it('announces on the room topic, and says goodbye there', async () => {
    const { keys, sent, presence } = await setup();
    await presence.announce();
    await presence.goodbye();
    expect(sent.map((s) => s.topic)).toEqual([keys.roomTopic, keys.roomTopic]);
    const id = await relayIdFor(URL_A);
    expect(sent[0]!.value).toEqual({ v: 1, from: id, msg: { kind: 'relay', relay: { v: 1, id, url: URL_A, meshMax: 4 } } });
    expect(sent[1]!.value).toEqual({ v: 1, from: id, msg: { kind: 'relay-bye', id } });
  });
});
