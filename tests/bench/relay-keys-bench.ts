import { loadavg } from 'node:os';
import { emptyControlState } from '../../crdt/room/control-records';
import { deriveRoomKeys } from '../../crdt/identity/room-keys';
import { newRoomLink } from '../../crdt/identity/room-link';
import { encodeRoomFrame } from '../../crdt/protocol/room-message-frame';
import { ChannelTag } from '../../crdt/protocol/wire';
import { MediaKeys } from '../../client/src/media/e2ee/media-keys';
import { RelayRoomChannel, type RelayRoomHandlers } from '../../client/src/relay-node/relay-room-channel';
import { Bot, newBotIdentity, type BotIdentity } from '../load/bot';
import { startRelayNode } from '../load/harness';
import { loadRecording } from '../load/recording';
import { prng } from '../support/prng';
import { until } from '../support/wait';
import { percentile } from './client-bench';

/** A synthetic member: a bot on the relay whose room channel carries a real MediaKeys, as a page's does. */
interface Member {
  bot: Bot;
  identity: BotIdentity;
  keys: MediaKeys;
  channel: RelayRoomChannel;
  /** When each epoch started sealing our frames (performance.now()). */
  sendingAt: Map<number, number>;
  /** The bot's room channel is open. */
  opened(): void;
  /** Closes the bot's connection; its page sends nothing more. */
  leave(): void;
}

/**
 * Leave and removal in a room of `size` synthetic members through a real relay node process:
 * each bot's room channel runs the page's own RelayRoomChannel (sealed room messages) and a
 * real MediaKeys (ECDH-sealed epochs, signed packages and held notices), so every key message
 * crosses the relay as a page's would. Bot 0 holds the host key and commits. Timed from the
 * leaving bot closing its connection (the relay tells the room) or the host's removal, to the
 * last remaining member sealing under the new epoch. All members run on this one Node thread
 * (and the bots' audio beside them), so the last member's time is an upper bound.
 */
export async function relayKeysBench(size = 50, rounds = 4): Promise<void> {
  const relay = await startRelayNode();
  const link = newRoomLink();
  const roomKeys = await deriveRoomKeys(link);
  const controls = emptyControlState();
  const members: Member[] = [];
  const info = console.info;
  console.info = () => {}; // each member logs each epoch it adopts
  try {
    const random = prng(7);
    const recording = loadRecording();
    for (let i = 0; i < size; i++) {
      const identity = await newBotIdentity();
      if (i === 0) controls.hostKey = identity.signing.publicKey;
      const bot = new Bot({ controlUrl: relay.controlUrl, identity, room: 'keys-bench', index: i, recording, videoSlots: 0, audioSlots: 0, audioLevel: 127, random, roomChannel: true });
      members.push(member(bot, identity, link.roomId, roomKeys, () => controls));
    }
    const pump = setInterval(() => members.forEach((m) => m.bot.pump(performance.now())), 5);
    for (let i = 0; i < members.length; i += 5) {
      const batch = members.slice(i, i + 5);
      await Promise.all(batch.map((m) => m.bot.start()));
      for (const m of batch) m.opened();
    }
    await until(() => members.every((m) => m.keys.holders().length === size && m.sendingAt.has(m.keys.keyring.current!.epoch)), 'everyone under one epoch', 60_000, 50);
    const leaveMs: number[] = [];
    const removeMs: number[] = [];
    const present = [...members];
    for (let r = 0; r < rounds; r++) {
      const leaver = present.pop()!;
      leaveMs.push(await untilAllSend(present, () => leaver.leave()));
      const removed = present.pop()!;
      const host = present[0]!;
      removeMs.push(
        await untilAllSend(present, () => {
          controls.removed.add(removed.identity.signing.publicKey);
          host.keys.changed();
        }),
      );
      removed.leave();
    }
    clearInterval(pump);
    const row = (v: number[], what: string) => ({ [what]: { p50: `${percentile(v, 50).toFixed(0)} ms`, p95: `${percentile(v, 95).toFixed(0)} ms`, runs: v.length } });
    console.log(`\nConfab bench — media keys through a relay node (${size} synthetic members, real crypto, one Node thread; load ${loadavg()[0]!.toFixed(1)})\n`);
    console.table({
      ...row(leaveMs, `leave (connection closed) → all others sealing under the new epoch (${size - 1}…${size - 2 * rounds + 1} left)`),
      ...row(removeMs, 'host removes one → all others sealing under the new epoch'),
    });
  } finally {
    console.info = info;
    for (const m of members) m.leave();
    await relay.stop();
  }
}

function member(bot: Bot, identity: BotIdentity, room: string, roomKeys: Awaited<ReturnType<typeof deriveRoomKeys>>, controls: () => ReturnType<typeof emptyControlState>): Member {
  const sendingAt = new Map<number, number>();
  let open = true;
  // The bot's room data channel, shaped as the RTCDataChannel RelayRoomChannel expects.
  const dc = {
    binaryType: 'arraybuffer',
    get readyState() {
      return open ? 'open' : 'closed';
    },
    onopen: null as null | (() => void),
    onclose: null as null | (() => void),
    onmessage: null as null | ((e: { data: ArrayBuffer }) => void),
    send: (bytes: Uint8Array) => bot.sendRoom(bytes),
    close: () => {},
  };
  bot.onRoomFrame = (f) => dc.onmessage?.({ data: encodeRoomFrame(f.kind, f.peer, f.piece).buffer as ArrayBuffer });
  const self: Member = { bot, identity, sendingAt, opened: () => dc.onopen?.(), leave: () => ((open = false), bot.close()) } as Member;
  const handlers: RelayRoomHandlers = {
    opened: () => void self.keys.greet(null),
    peers: (_channel, _members, added) => {
      if (added) void self.keys.greet(added);
      self.keys.changed();
    },
    message: (_channel, _from, tag, bytes) => {
      if (tag === ChannelTag.MediaKey) void self.keys.receive(bytes);
    },
    closed: () => {},
  };
  self.channel = new RelayRoomChannel(dc as unknown as RTCDataChannel, bot.id, roomKeys, handlers, true);
  self.keys = new MediaKeys({
    room,
    identity: identity.signing,
    selfId: bot.id,
    controls,
    visiblePeers: () => self.channel.peers().filter((id) => id !== bot.id),
    send: (to, bytes) => (to === null ? self.channel.broadcast(ChannelTag.MediaKey, bytes) : self.channel.sendTo(to, ChannelTag.MediaKey, bytes)),
    install: () => {},
    sendUnder: (epoch) => sendingAt.set(epoch, performance.now()),
  });
  return self;
}

/** ms from `act` to the last of `present` sealing under an epoch newer than any before it. */
async function untilAllSend(present: Member[], act: () => void): Promise<number> {
  const before = Math.max(...present.map((m) => m.keys.keyring.current?.epoch ?? -1));
  const t0 = performance.now();
  act();
  await until(() => present.every((m) => [...m.sendingAt.keys()].some((e) => e > before)), 'the new epoch everywhere', 30_000, 5);
  return Math.max(...present.map((m) => Math.min(...[...m.sendingAt].filter(([e]) => e > before).map(([, at]) => at)))) - t0;
}
