import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoLayer } from '../../crdt/protocol/relay-wire';
import type { Bot } from './bot';
import { startBots, startRelayNode, tilePlan, type RelayNode, type RoomOfBots } from './harness';
import { loadRecording } from './recording';
import { originOf } from './verifier';
import { sleep } from '../support/wait';

/**
 * A room of 12 synthetic participants through a real relay node process: each publishes the
 * recorded Opus + three VP8 layers and shows 4 tiles (1 high, 3 low). Bounded: about 30 s.
 */
const BOTS = 12;
const TILES = 4;
const LEVELS = (i: number) => (i < 3 ? 10 + 10 * i : i === BOTS - 1 ? 127 : 70 + i); // 0–2 loud, the last one muted
const STREAM_OF: Record<VideoLayer, number> = { low: 1, mid: 2, high: 3 };

describe(`a relay room of ${BOTS} bots`, () => {
  let relay: RelayNode;
  let room: RoomOfBots;
  let bots: Bot[];

  beforeAll(async () => {
    relay = await startRelayNode();
    room = await startBots(relay, loadRecording(), BOTS, { videoSlots: TILES, audioSlots: 3, audioLevel: LEVELS });
    bots = room.bots;
    bots.forEach((bot, i) => tilePlan(i, BOTS, TILES).forEach((t, k) => bot.subscribe(k, bots[t.publisher]!.id, t.layer)));
    await sleep(3_000); // first keyframes, speaker ranking
    for (const bot of bots) for (const v of [...bot.video, ...bot.audio]) v.resetWindow();
    await sleep(5_000);
  }, 60_000);

  afterAll(async () => {
    room?.stop();
    await relay?.stop();
  });

  it('delivers every tile continuous, keyframe-started, from the publisher and layer asked for', () => {
    bots.forEach((bot, i) => {
      tilePlan(i, BOTS, TILES).forEach((t, k) => {
        const slot = bot.video[k]!;
        const where = `${bot.id} tile ${k} (${bots[t.publisher]!.id} ${t.layer})`;
        expect(slot.badStarts, where).toBe(0);
        expect(slot.ssrcChanges, where).toBe(0);
        expect(slot.packets, where).toBeGreaterThan(t.layer === 'high' ? 100 : 50);
        expect(slot.lost / (slot.packets + slot.lost), where).toBeLessThan(0.01);
        expect([...slot.originPackets.keys()], where).toEqual([originOf(t.publisher, STREAM_OF[t.layer])]);
      });
    });
  });

  it('forwards only the three loudest voices, never your own and never a muted one', () => {
    bots.forEach((bot, i) => {
      const loudest = [0, 1, 2, 3].filter((s) => s !== i).slice(0, 3);
      expect(new Set(bot.speakers), bot.id).toEqual(new Set(loudest.map((s) => bots[s]!.id)));
      const heard = new Set(bot.audio.flatMap((slot) => [...slot.originPackets.keys()]));
      expect(heard, bot.id).toEqual(new Set(loudest.map((s) => originOf(s, 0))));
      for (const slot of bot.audio) {
        expect(slot.packets, bot.id).toBeGreaterThan(150); // 50 packets/s for 5 s
        expect(slot.lost / (slot.packets + slot.lost), bot.id).toBeLessThan(0.01);
        expect(slot.ssrcChanges).toBe(0);
      }
    });
  });

  it('pauses the layers nobody watches', async () => {
    for (const bot of bots) expect([...bot.paused], bot.id).toEqual(['mid']);
    const stats = await relay.stats();
    // Ingress is audio plus the two watched layers: no mid-layer packets reach the relay.
    expect(stats.packetsDropped).toBe(0);
  });

  it('switches a tile to another layer on a keyframe, continuing the same stream, and re-pauses', async () => {
    const viewer = bots[0]!;
    const tile = viewer.video[0]!;
    const lostBefore = tile.lost;
    viewer.subscribe(0, bots[1]!.id, 'mid');
    await sleep(2_000);
    expect(tile.origin).toBe(originOf(1, STREAM_OF.mid));
    expect(tile.badStarts).toBe(0);
    expect(tile.ssrcChanges).toBe(0);
    expect(tile.lost).toBe(lostBefore);
    expect([...bots[1]!.paused]).toEqual(['high']); // bot-0 was the only one watching bot-1 high
    viewer.subscribe(0, bots[1]!.id, 'none');
    await sleep(500);
    expect([...bots[1]!.paused]).toEqual(['mid', 'high']);
  });
});
