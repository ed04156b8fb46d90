import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { startJoinedRelay, type JoinedRelayProcess } from '../support/relay-process';
import { createRoom, joinRoom, openChat, sendChat, waitUntil } from '../support/room-actions';

interface PageState {
  topology: string;
  relayInUse: string | null;
  relayChoice: string | null;
  /** Per peer: frames decoded, and whether they come through the relay. */
  tiles: { frames: number; viaRelay: boolean }[];
}

const stateOf = (page: Page): Promise<PageState> =>
  page.evaluate(async () => {
    const d = window.confabDebug!;
    const tiles = await Promise.all(d.peerIds().map(async (id) => ({ frames: await d.framesDecoded(id), viaRelay: d.viaRelay(id) })));
    return { topology: d.topology(), relayInUse: d.relayInUse(), relayChoice: d.relayChoice(), tiles };
  });

/**
 * Polls until every page sends and receives through `relayUrl`, every tile through it with its
 * decoded frames rising between two polls. Returns when the first page was seen on it and when
 * all were decoding; `sawMesh` says whether any page was seen in mesh mode meanwhile.
 */
async function allOnRelay(pages: Page[], relayUrl: string, timeoutMs: number) {
  let firstOnItAt = 0;
  let sawMesh = false;
  let previous: number[][] | null = null;
  await waitUntil(async () => {
    const states = await Promise.all(pages.map(stateOf));
    if (states.some((s) => s.topology === 'mesh')) sawMesh = true;
    if (!firstOnItAt && states.some((s) => s.relayInUse === relayUrl)) firstOnItAt = Date.now();
    const settled = states.every((s) => s.relayInUse === relayUrl && s.tiles.length === pages.length - 1 && s.tiles.every((t) => t.viaRelay));
    const before = previous;
    previous = settled ? states.map((s) => s.tiles.map((t) => t.frames)) : null;
    return settled && before !== null && states.every((s, p) => s.tiles.every((t, i) => t.frames > before[p]![i]!));
  }, timeoutMs, `every page decoding every tile through ${relayUrl}`);
  return { firstOnItAt, allAt: Date.now(), sawMesh };
}

/**
 * Two relays in one room: the relay node of the room's own server and one joined from outside
 * with `confab relay --join`. Everyone elects the joined one; when it freezes (SIGSTOP: no
 * goodbye, and its sockets stay open, as when its host drops off the network) every page fails
 * over to the other relay, not to the mesh, and chat goes on. (A relay process that dies
 * outright closes its sockets, which pages notice at once: relay-crash.test.ts.)
 */
describe('relay failover between two relays', () => {
  const h = useRelayAndBrowser(['--mesh-max', '2']);
  // Every one started (a retried test starts another), stopped at the end.
  const joinedRelays: JoinedRelayProcess[] = [];
  afterAll(async () => {
    await Promise.all(joinedRelays.map((r) => r.stop()));
  });

  it('everyone elects the joined relay; frozen, the room moves to the other relay within seconds, chat included', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push((await newParticipant(h.browser)).page);
    const t0 = Date.now();
    if (process.env.DEBUG_FAILOVER) pages.forEach((p, i) => p.on('console', (m) => /relay|topology/.test(m.text()) && console.log(`${Date.now() - t0} p${i} ${m.text()}`)));
    const [alice, bob, carol] = pages as [Page, Page, Page];
    const link = await createRoom(alice, h.relay.url);
    const joined = await startJoinedRelay(link, ['--mesh-max', '2']);
    joinedRelays.push(joined);
    const originRelay = h.relay.url.replace(/^http/, 'ws') + 'relay';
    await joinRoom(alice, 'Alice');
    await joinRoom(bob, 'Bob', link);
    await joinRoom(carol, 'Carol', link);

    const startedAt = Date.now();
    await allOnRelay(pages, joined.url, 45_000);
    console.log(`[measure] 3 people, 2 relays: every page decoding every tile through the joined relay ${Date.now() - startedAt} ms after the third joined`);
    for (const page of pages) expect((await stateOf(page)).relayChoice).toBe(joined.url);

    joined.process.kill('SIGSTOP');
    const killedAt = Date.now();
    // Written while the pages move (the chat goes over the idle peer links kept beside a relay in a room this small).
    const [failover] = await Promise.all([allOnRelay(pages, originRelay, 20_000), sendChat(bob, 'written during the failover')]);
    console.log(
      `[measure] joined relay frozen → first page on the other relay: ${failover.firstOnItAt - killedAt} ms; ` +
        `every page decoding every tile through it: ${failover.allAt - killedAt} ms`,
    );
    expect(failover.sawMesh).toBe(false);
    expect(await alice.getByText('The relay node can’t be reached').count()).toBe(0);
    for (const page of pages) await expect.poll(async () => (await stateOf(page)).relayChoice, { timeout: 5_000 }).toBe(originRelay);
    for (const page of [alice, carol]) {
      await openChat(page);
      await page.getByText('written during the failover').waitFor({ timeout: 10_000 });
    }
  });
});
