import { isIPv4, isIPv6 } from 'node:net';

/**
 * What each network address holds on the signaling relay: sockets, subscriptions, and rooms
 * (topics with two or more subscribers) it takes part in. A stranger with no link can make
 * rooms of junk topics with two sockets of its own; counting per address means a handful of
 * sockets cannot fill the server's `--max-rooms`, while a real room (people on many networks)
 * counts once per network it spans. IPv6 addresses count per /64, the block one household or
 * host gets, so rotating through one's own /64 buys nothing.
 */
export interface AddressUse {
  sockets: number;
  topics: number;
  rooms: number;
}

export class AddressLedger {
  private readonly uses = new Map<string, AddressUse>();
  /** Per topic, how many of its subscribers each address holds. */
  private readonly topicAddresses = new Map<string, Map<string, number>>();

  use(address: string): AddressUse {
    let use = this.uses.get(address);
    if (!use) this.uses.set(address, (use = { sockets: 0, topics: 0, rooms: 0 }));
    return use;
  }

  socketOpened(address: string): AddressUse {
    const use = this.use(address);
    use.sockets++;
    return use;
  }

  socketClosed(address: string): void {
    const use = this.use(address);
    use.sockets--;
    this.forgetIfIdle(address, use);
  }

  /** Would one more subscriber from `address`, on a topic that has `size` now, put the address in one more room? */
  joinsARoom(address: string, topic: string, size: number): boolean {
    return size === 1 || (size >= 2 && !this.topicAddresses.get(topic)?.has(address));
  }

  /** After a subscriber from `address` was added to `topic`, which now has `size` subscribers. */
  subscribed(address: string, topic: string, size: number): void {
    let addresses = this.topicAddresses.get(topic);
    if (!addresses) this.topicAddresses.set(topic, (addresses = new Map()));
    const present = addresses.has(address);
    addresses.set(address, (addresses.get(address) ?? 0) + 1);
    this.use(address).topics++;
    // The topic just became a room: everyone in it is in one more. Else only a newcomer address is.
    if (size === 2) for (const a of addresses.keys()) this.use(a).rooms++;
    else if (size > 2 && !present) this.use(address).rooms++;
  }

  /** After a subscriber from `address` left `topic`, which now has `size` subscribers. */
  unsubscribed(address: string, topic: string, size: number): void {
    const addresses = this.topicAddresses.get(topic);
    const held = addresses?.get(address);
    if (!addresses || held === undefined) return;
    const use = this.use(address);
    use.topics--;
    const gone = held === 1;
    if (gone) addresses.delete(address);
    else addresses.set(address, held - 1);
    // The topic stopped being a room: everyone who was in it is in one fewer.
    if (size === 1) {
      for (const a of addresses.keys()) this.use(a).rooms--;
      if (gone) use.rooms--;
    } else if (size >= 2 && gone) use.rooms--;
    if (addresses.size === 0) this.topicAddresses.delete(topic);
    this.forgetIfIdle(address, use);
  }

  get addressCount(): number {
    return this.uses.size;
  }

  private forgetIfIdle(address: string, use: AddressUse): void {
    if (use.sockets <= 0 && use.topics <= 0) this.uses.delete(address);
  }
}

/**
 * Where a socket comes from. Behind a reverse proxy on the same host (`--tls off`), every
 * socket comes from loopback: then the client is the last address the proxy appended to
 * X-Forwarded-For. Nobody else is believed (a client can write that header itself).
 */
export function clientAddress(remoteAddress: string, forwardedFor: string | string[] | undefined): string {
  const loopback = remoteAddress === '::1' || remoteAddress.startsWith('127.') || remoteAddress.startsWith('::ffff:127.');
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header?.split(',').pop()?.trim();
  return loopback && last && isIPv4(last.replace(/^::ffff:/i, '')) !== isIPv6(last) ? last : remoteAddress;
}

/** The network a socket comes from: an IPv4 address, or the /64 of an IPv6 one. */
export function addressKey(remoteAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (isIPv4(remoteAddress) || !isIPv6(remoteAddress)) return remoteAddress;
  const [head = '', tail = ''] = remoteAddress.split('%')[0]!.split('::') as [string?, string?];
  const front = head ? head.split(':') : [];
  const back = remoteAddress.includes('::') && tail ? tail.split(':') : [];
  const groups = remoteAddress.includes('::') ? [...front, ...Array(8 - front.length - back.length).fill('0'), ...back] : front;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
