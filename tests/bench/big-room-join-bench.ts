import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { relayAccessFor } from '../../crdt/identity/relay-access';
import { newParticipant } from '../support/browser';
import { startRelay } from '../support/relay-process';
import { createRoom, joinRoom, peerIds } from '../support/room-actions';
import { startBots } from '../load/harness';
import { loadRecording } from '../load/recording';
import { BOT_EPOCH, botEpochSecret, botSealer } from '../load/sealed-recording';
import { percentile } from './client-bench';

const BOTS = Number(process.env.BENCH_BIG_ROOM_BOTS ?? 13);
const JOINS = Number(process.env.BENCH_BIG_ROOM_JOINS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the client says hello to the relay with: the room's signaling topic (PROTOCOL.md). */
const relayRoomKey = (roomId: string) => createHash('sha256').update(`confab/room/v1/${roomId}`).digest('base64url');

/** ms after the click on Join (the page's own clock: client/src/session/join-timeline.ts marks). */
export interface JoinPhases {
  /** The session started and announced itself on the room topic. */
  announced: number;
  /** The page chose the relay (the room is above the mesh limit). */
  relayChosen: number;
  /** Its relay connection carries media (signaling, ICE and DTLS done). */
  relayConnected: number;
  /** It sends under a media epoch (its key package reached the committer, the epoch came back). */
  mediaKey: number;
  /** The first decoded frame of a bot (needs only the relay, not the room's epoch). */
  firstBotFrame: number;
  /** The first decoded frame of a browser member (needs the new epoch). */
  firstMemberFrame: number;
}

/**
 * A newcomer joining a relay room of 2 + BOTS + 1 (#17): 2 Chromium members and BOTS load bots
 * through the relay node (--mesh-max 1), then a third page clicks Join. The phases are the
 * client's own User Timing marks and the first decoded frames, timed in the newcomer's page, so
 * the note can say where the time goes. The bots seal under a test epoch every page is told
 * (tests/load).
 */
export async function bigRoomJoins(browser: Browser): Promise<{ roomSize: number; joins: JoinPhases[] }> {
  const relay = await startRelay({ args: ['--mesh-max', '1'] });
  const botSecret = botEpochSecret();
  let stopBots = () => {};
  try {
    const member = async () => {
      const { page, context } = await newParticipant(browser);
      await context.addInitScript(() => localStorage.setItem('confab.testHooks', '1'));
      return page;
    };
    const [alice, bob] = [await member(), await member()];
    const link = await createRoom(alice, relay.url);
    const [, roomId, secret] = /#([\w-]{22})\.([\w-]{22})/.exec(link)!;
    const bots = await startBots({ controlUrl: relay.url.replace(/^http/, 'ws') + 'relay' }, botSealer(loadRecording(), botSecret), BOTS, {
      videoSlots: 3,
      audioSlots: 3,
      audioLevel: (i) => [20, 30, 40][i] ?? 127,
      room: relayRoomKey(roomId!),
      access: await relayAccessFor(secret!, roomId!),
      startBatch: 1,
    });
    stopBots = () => bots.stop();
    const botIds = bots.bots.map((b) => b.id);
    const trust = (page: Page) =>
      page.evaluate(([epoch, s, ids]) => window.confabDebug!.tamper!.trustTestSenders(epoch, s, ids), [BOT_EPOCH, Buffer.from(botSecret).toString('base64url'), botIds] as const);
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    for (const page of [alice, bob]) {
      await trust(page);
      for (let t = Date.now(); (await peerIds(page)).length < BOTS + 1; await sleep(100)) {
        if (Date.now() - t > 60_000) throw new Error('the members never saw the whole room');
      }
    }
    const memberIds = await Promise.all([alice, bob].map((p) => p.evaluate(() => window.confabDebug!.selfId)));
    const joins: JoinPhases[] = [];
    for (let i = 0; i < JOINS; i++) {
      const newcomer = await member();
      await newcomer.goto(link);
      await newcomer.getByLabel('Your name').fill(`Newcomer ${i}`);
      await newcomer.waitForFunction(() => !document.querySelector<HTMLButtonElement>('form.join-form button')?.disabled);
      await newcomer.getByRole('button', { name: 'Join', exact: true }).click();
      await newcomer.waitForFunction(() => window.confabDebug?.tamper !== undefined, null, { timeout: 30_000 });
      await trust(newcomer);
      const phases = await newcomer.evaluate(phasesInPage, { botIds, memberIds });
      if (Object.values(phases).some(Number.isNaN)) console.warn(`newcomer ${i}: not every phase reached in 30 s: ${JSON.stringify(phases)}`);
      joins.push(phases);
      await newcomer.context().close();
      await sleep(2_000);
    }
    await alice.context().close();
    await bob.context().close();
    return { roomSize: BOTS + 3, joins };
  } finally {
    stopBots();
    await relay.stop();
  }
}

/**
 * In the newcomer's page: waits for the first frame of a bot and of a member (polled here, so
 * no round trip per poll), then reads the join marks. No named inner functions: tsx would wrap
 * them in a helper the page lacks.
 */
async function phasesInPage({ botIds, memberIds }: { botIds: string[]; memberIds: string[] }): Promise<JoinPhases> {
  const d = window.confabDebug!;
  let firstBotFrame = NaN;
  let firstMemberFrame = NaN;
  const deadline = performance.now() + 30_000;
  while ((Number.isNaN(firstBotFrame) || Number.isNaN(firstMemberFrame)) && performance.now() < deadline) {
    if (Number.isNaN(firstBotFrame) && (await d.framesDecoded(botIds[0]!).catch(() => 0)) > 0) firstBotFrame = performance.now();
    if (Number.isNaN(firstMemberFrame)) {
      for (const id of memberIds) if ((await d.framesDecoded(id).catch(() => 0)) > 0) firstMemberFrame = performance.now();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  // The first mark of each phase (a relay switch later marks again).
  const at: Record<string, number> = {};
  for (const m of performance.getEntriesByType('mark')) at[m.name] ??= m.startTime;
  const join = at['confab:join'] ?? NaN;
  const phases = {
    announced: (at['confab:announced'] ?? NaN) - join,
    relayChosen: (at['confab:relay-chosen'] ?? NaN) - join,
    relayConnected: (at['confab:relay-connected'] ?? NaN) - join,
    mediaKey: (at['confab:media-key'] ?? NaN) - join,
    firstBotFrame: firstBotFrame - join,
    firstMemberFrame: firstMemberFrame - join,
  };
  return phases;
}

export function printBigRoomJoins(r: { roomSize: number; joins: JoinPhases[] }): void {
  const phases: (keyof JoinPhases)[] = ['announced', 'relayChosen', 'relayConnected', 'mediaKey', 'firstBotFrame', 'firstMemberFrame'];
  console.log(`\nJoining a relay room of ${r.roomSize} (2 Chromium members + ${r.roomSize - 3} bots; newcomer in Chromium): click Join → each phase, ms\n`);
  console.table(
    Object.fromEntries(
      phases.map((p) => {
        const v = r.joins.map((j) => j[p]).filter((x) => !Number.isNaN(x));
        return [p, { median: Math.round(percentile(v, 50)), all: v.map((x) => x.toFixed(0)).join(' ') }];
      }),
    ),
  );
}
