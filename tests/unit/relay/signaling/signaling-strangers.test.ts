import { describe, expect, it } from 'vitest';
import { SIGNALING_LIMITS } from '../../../../crdt/protocol/wire';
import { addressKey, clientAddress } from '../../../../relay/signaling-addresses';
import { bareRelay, connect, settle, until, type Client } from '../../../support/signaling-socket';

/** A socket from another loopback address: Linux routes all of 127/8 to lo, so each is a network of its own to the relay. */
const from = (wsUrl: string, address: string) => connect(wsUrl, { localAddress: address });

/** Subscribes and waits for the pong that follows, so every refusal has arrived. */
async function subscribe(c: Client, topics: string[]): Promise<void> {
  const before = c.frames.length;
  c.send({ type: 'subscribe', topics });
  c.send({ type: 'ping' });
  await until(() => c.frames.slice(before).some((f) => f.type === 'pong'), 'condition', 10_000);
}

const refusals = (c: Client) => c.frames.filter((f) => f.type === 'refused');

describe('signaling relay against strangers (issue 13)', () => {
  it('attack 8: a handful of sockets × 64 junk topics cannot fill --max-rooms, and real rooms still get in', async () => {
    const maxRooms = 60;
    const bare = await bareRelay(SIGNALING_LIMITS, { maxRooms });
    try {
      // The stranger: six sockets from one machine, in pairs on the same 64 junk topics (each pair
      // makes every one of its topics a "room"): 192 rooms wanted, three times the server's limit.
      const stranger = await Promise.all(Array.from({ length: 6 }, () => from(bare.wsUrl, '127.0.0.2')));
      for (const [i, c] of stranger.entries()) {
        await subscribe(c, Array.from({ length: SIGNALING_LIMITS.maxTopicsPerSocket }, (_, t) => `junk-${i >> 1}-${t}`));
      }
      const stats = bare.relay.stats();
      expect(stats.rooms).toBe(SIGNALING_LIMITS.maxRoomsPerAddress);
      expect(stranger.flatMap(refusals).every((f) => f.reason === 'address-full' && f.limit === SIGNALING_LIMITS.maxRoomsPerAddress)).toBe(true);
      expect(stranger.every((c) => c.closed() === null)).toBe(true);

      // Real rooms, two people on two networks each, all get in and hear each other.
      const people: Client[] = [];
      for (let room = 0; room < maxRooms - SIGNALING_LIMITS.maxRoomsPerAddress; room++) {
        const [a, b] = await Promise.all([from(bare.wsUrl, `127.0.1.${room + 1}`), from(bare.wsUrl, `127.0.2.${room + 1}`)]);
        await subscribe(a, [`room-${room}`, `peer-a-${room}`]);
        await subscribe(b, [`room-${room}`, `peer-b-${room}`]);
        expect([...refusals(a), ...refusals(b)]).toEqual([]);
        people.push(a, b);
      }
      expect(bare.relay.stats().rooms).toBe(maxRooms);
      const [a, b] = people.slice(-2) as [Client, Client];
      b.send({ type: 'publish', topic: `room-${maxRooms - SIGNALING_LIMITS.maxRoomsPerAddress - 1}`, data: 'announce' });
      await until(() => a.frames.some((f) => f.type === 'publish' && f.data === 'announce'));

      // Everyone leaves: nothing is left counted against anyone.
      for (const c of [...stranger, ...people]) c.ws.close();
      await until(() => bare.relay.stats().sockets === 0);
      expect(bare.relay.stats()).toMatchObject({ rooms: 0, topics: 0, networks: 0 });
    } finally {
      await bare.close();
    }
  }, 60_000);

  it('one network holds at most so many topics and sockets; the next subscription is refused, not the socket', async () => {
    const limits = { ...SIGNALING_LIMITS, maxTopicsPerAddress: 5, maxSocketsPerAddress: 3 };
    const bare = await bareRelay(limits);
    try {
      const [a, b] = await Promise.all([from(bare.wsUrl, '127.0.0.2'), from(bare.wsUrl, '127.0.0.2')]);
      await subscribe(a, ['t1', 't2', 't3']);
      await subscribe(b, ['t4', 't5', 't6']);
      expect(refusals(b)).toEqual([{ type: 'refused', topic: 't6', reason: 'address-full', limit: 5 }]);
      expect(b.closed()).toBeNull();
      // Another network is not affected.
      const other = await from(bare.wsUrl, '127.0.0.3');
      await subscribe(other, ['t6']);
      expect(refusals(other)).toEqual([]);

      const c = await from(bare.wsUrl, '127.0.0.2');
      const d = await from(bare.wsUrl, '127.0.0.2');
      await until(() => d.closed() !== null);
      expect(d.frames).toEqual([{ type: 'error', reason: 'too many connections from your network' }]);
      expect(c.closed()).toBeNull();
      for (const x of [a, b, c, other]) x.ws.close();
      await until(() => bare.relay.stats().sockets === 0);
      expect(bare.relay.stats()).toMatchObject({ topics: 0, networks: 0 });
    } finally {
      await bare.close();
    }
  });

  it('a room spanning networks counts once for each; leaving gives the room back', async () => {
    const bare = await bareRelay(SIGNALING_LIMITS, { maxRoomsPerAddress: 1 });
    try {
      const [a, a2, b] = await Promise.all([from(bare.wsUrl, '127.0.0.2'), from(bare.wsUrl, '127.0.0.2'), from(bare.wsUrl, '127.0.0.3')]);
      await subscribe(a, ['r1']);
      await subscribe(b, ['r1']);
      // Two people of one office in the same room: still one room for that network.
      await subscribe(a2, ['r1']);
      expect([...refusals(a), ...refusals(a2), ...refusals(b)]).toEqual([]);
      await subscribe(a2, ['r2']);
      await subscribe(a, ['r2']);
      expect(refusals(a)).toEqual([{ type: 'refused', topic: 'r2', reason: 'address-full', limit: 1 }]);
      b.send({ type: 'unsubscribe', topics: ['r1'] });
      a2.send({ type: 'unsubscribe', topics: ['r1'] });
      await settle();
      await subscribe(a, ['r2']);
      expect(refusals(a)).toHaveLength(1);
      expect(bare.relay.stats().rooms).toBe(1);
      for (const x of [a, a2, b]) x.ws.close();
    } finally {
      await bare.close();
    }
  });

  it('behind a proxy on the same host, counts the client the proxy names; nobody else is believed', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(clientAddress('::1', 'spoofed, 2001:db8::5')).toBe('2001:db8::5');
    expect(clientAddress('203.0.113.9', '198.51.100.7')).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', 'not an address')).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', undefined)).toBe('127.0.0.1');
  });

  it('counts IPv4 as itself, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
