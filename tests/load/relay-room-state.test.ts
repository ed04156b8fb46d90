import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRoomFrame, RoomMessageKind, type RoomFrame } from '../../crdt/protocol/room-message-frame';
import type { Bot } from './bot';
import { startBots, startRelayNode, type RelayNode, type RoomOfBots } from './harness';
import { loadRecording } from './recording';
import { sleep } from '../support/wait';

/**
 * Room state through a real relay node process (PROTOCOL.md, "Room state through the relay"):
 * bots open the room data channel as browsers do, while publishing media. What the relay
 * forwards here is opaque bytes to it, so plain text stands in for sealed messages.
 */
const BOTS = 6;
const text = (s: string) => new TextEncoder().encode(s);

describe(`room state through the relay node: ${BOTS} bots with room channels`, () => {
  let relay: RelayNode;
  let room: RoomOfBots;
  let bots: Bot[];
  const received = new Map<Bot, RoomFrame[]>();
  const heard = (bot: Bot, kind: number) => received.get(bot)!.filter((f) => f.kind === kind);

  beforeAll(async () => {
    relay = await startRelayNode();
    room = await startBots(relay, loadRecording(), BOTS, { videoSlots: 2, audioSlots: 1, audioLevel: () => 60, roomChannel: true });
    bots = room.bots;
    bots.forEach((bot, i) => bot.subscribe(0, bots[(i + 1) % BOTS]!.id, 'low'));
    for (const bot of bots) {
      received.set(bot, []);
      bot.onRoomFrame = (f) => received.get(bot)!.push({ ...f, piece: f.piece.slice() });
    }
    await sleep(1_500);
  }, 60_000);

  afterAll(async () => {
    room?.stop();
    await relay?.stop();
  });

  it('a broadcast reaches every other bot once, with the sender id the relay proved; a direct frame reaches one', async () => {
    bots[0]!.sendRoom(encodeRoomFrame(RoomMessageKind.Broadcast, '', text('hello room')));
    bots[1]!.sendRoom(encodeRoomFrame(RoomMessageKind.Direct, bots[2]!.id, text('just bot 2')));
    await sleep(500);
    for (const bot of bots.slice(1)) {
      expect(heard(bot, RoomMessageKind.Broadcast).map((f) => [f.peer, new TextDecoder().decode(f.piece)])).toEqual([[bots[0]!.id, 'hello room']]);
    }
    expect(heard(bots[0]!, RoomMessageKind.Broadcast)).toEqual([]);
    expect(heard(bots[2]!, RoomMessageKind.Direct).map((f) => [f.peer, new TextDecoder().decode(f.piece)])).toEqual([[bots[1]!.id, 'just bot 2']]);
    for (const bot of [bots[0]!, ...bots.slice(3)]) expect(heard(bot, RoomMessageKind.Direct)).toEqual([]);
  });

  it('a whole room document (1 MiB in 64 pieces) reaches one peer in order while media flows', async () => {
    const pieces = Array.from({ length: 64 }, (_, i) => new Uint8Array(16 * 1024).fill(i));
    const videoBefore = bots[4]!.video[0]!.packets;
    const t0 = performance.now();
    for (const piece of pieces) bots[3]!.sendRoom(encodeRoomFrame(RoomMessageKind.Direct, bots[4]!.id, piece));
    await expect.poll(() => heard(bots[4]!, RoomMessageKind.Direct).length, { timeout: 10_000 }).toBe(64);
    console.log(`[measure] 1 MiB in 64 room frames, bot → relay → bot: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(heard(bots[4]!, RoomMessageKind.Direct).map((f) => f.piece[0])).toEqual(pieces.map((_, i) => i));
    await expect.poll(() => bots[4]!.video[0]!.packets, { timeout: 5_000 }).toBeGreaterThan(videoBefore);
  });

  it('malformed frames are counted and dropped; their sender stays', async () => {
    const before = await relay.stats();
    bots[5]!.sendRoom(new Uint8Array([9, 9, 9]));
    bots[5]!.sendRoom(encodeRoomFrame(RoomMessageKind.Presence, '', new Uint8Array([1])));
    bots[5]!.sendRoom(encodeRoomFrame(RoomMessageKind.Broadcast, '', text('still here')));
    await sleep(500);
    expect((await relay.stats()).roomFramesMalformed - before.roomFramesMalformed).toBe(2);
    expect(heard(bots[0]!, RoomMessageKind.Broadcast).at(-1)?.peer).toBe(bots[5]!.id);
  });

  it('presence: a bot that leaves is announced gone to the others', async () => {
    const leaver = bots[5]!;
    leaver.close();
    await expect
      .poll(() => heard(bots[0]!, RoomMessageKind.Presence).some((f) => f.peer === leaver.id && f.piece[0] === 0), { timeout: 10_000 })
      .toBe(true);
  });
});
