import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { createRoom, joinRoom, peerIds, waitUntil } from '../support/room-actions';
import { expectTilePlaying } from '../support/tile-video';

const tile = (page: Page, name: string) => page.getByRole('figure', { name, exact: true });

/** Waits for `name`'s tile to be highlighted on `viewer`; on failure, says what levels it measured. */
async function expectHighlighted(viewer: Page, name: string): Promise<void> {
  const levels: string[] = [];
  const speaking = async () => {
    levels.push(JSON.stringify(await viewer.evaluate(() => window.confabDebug!.speakerLevels())));
    return tile(viewer, name).getAttribute('data-speaking');
  };
  await expect.poll(speaking, { timeout: 20_000 }).toBe('true').catch((err: Error) => {
    throw new Error(`${err.message}; last levels measured: ${levels.slice(-5).join(' ')}`);
  });
}

/** What makes a group call readable: who is talking, who wants to, and quick reactions. */
describe('active speaker, layouts, raised hands and reactions', () => {
  const h = useRelayAndBrowser();
  const pages: Record<string, Page> = {};

  it('the only unmuted person is highlighted as speaking on the others’ screens', async () => {
    for (const name of ['alice', 'bob', 'carol']) pages[name] = (await newParticipant(h.browser)).page;
    const { alice, bob, carol } = pages as Record<'alice' | 'bob' | 'carol', Page>;
    const link = await createRoom(alice, h.relay.url);
    await joinRoom(alice, 'Alice');
    await Promise.all([joinRoom(bob, 'Bob', link), joinRoom(carol, 'Carol', link)]);
    for (const page of [alice, bob, carol]) await waitUntil(async () => (await peerIds(page)).length === 2, 20_000, 'full mesh');
    await bob.getByRole('button', { name: 'Microphone' }).click();
    await carol.getByRole('button', { name: 'Microphone' }).click();

    // The fake microphone beeps about once a second; the highlight holds through the gaps.
    for (const viewer of [bob, carol]) await expectHighlighted(viewer, 'Alice');
    // The muted ones lose any highlight once the hold time after their last sound has passed.
    for (const [page, name] of [[bob, 'Carol'], [alice, 'Bob'], [alice, 'Carol']] as const) {
      await expect.poll(() => tile(page, name).getAttribute('data-speaking'), { timeout: 5_000 }).toBeNull();
    }
    // …and never get it back while muted.
    for (let i = 0; i < 10; i++) {
      expect(await tile(bob, 'Carol').getAttribute('data-speaking')).toBeNull();
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('speaker layout puts whoever speaks in the large tile; a pinned person stays there; Grid layout pages', async () => {
    const { bob } = pages as Record<'bob', Page>;
    const featured = bob.locator('figure.tile-featured');
    await bob.getByRole('button', { name: 'Speaker layout' }).click();
    // Alice is the only one speaking; Carol goes to the filmstrip.
    await expect.poll(() => featured.getAttribute('aria-label'), { timeout: 10_000 }).toBe('Alice');
    await expectTilePlaying(bob, 'Alice', 'Bob');
    await expectTilePlaying(bob, 'Carol', 'Bob');
    await bob.getByRole('button', { name: 'Pin Carol' }).click();
    await expect.poll(() => featured.getAttribute('aria-label')).toBe('Carol');
    for (let i = 0; i < 5; i++) {
      expect(await featured.getAttribute('aria-label'), 'Alice speaks, Carol stays pinned').toBe('Carol');
      await bob.waitForTimeout(300);
    }
    await expectTilePlaying(bob, 'Carol', 'Bob');
    await bob.getByRole('button', { name: 'Unpin Carol' }).click();
    await expect.poll(() => featured.getAttribute('aria-label'), { timeout: 10_000 }).toBe('Alice');

    // A window too small for two tiles shows one a page; the other still plays its voice.
    await bob.getByRole('button', { name: 'Grid layout' }).click();
    await bob.setViewportSize({ width: 400, height: 400 });
    await bob.getByText('Page 1 of 2').waitFor({ timeout: 5_000 });
    const visible = async () => (await bob.getByRole('figure').filter({ visible: true }).evaluateAll((fs) => fs.map((f) => f.getAttribute('aria-label'))));
    // Tiles come in the order connections opened: either may be first.
    const [first] = await visible();
    expect(['Alice', 'Carol']).toContain(first);
    const second = first === 'Alice' ? 'Carol' : 'Alice';
    expect(await visible()).toEqual([first, 'You (Bob)']);
    // Off the page the tile is hidden (and so out of the accessibility tree), still mounted.
    const offPageVideo = bob.locator(`figure[aria-label="${second}"] video`);
    expect(await offPageVideo.evaluate((v: HTMLVideoElement) => !v.paused && !v.muted), 'the off-page tile still plays sound').toBe(true);
    await bob.getByRole('button', { name: 'Next page' }).click();
    await bob.getByText('Page 2 of 2').waitFor();
    expect(await visible()).toEqual([second, 'You (Bob)']);
    await expectTilePlaying(bob, second, 'Bob');
    await bob.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(() => bob.getByText(/Page \d of/).count()).toBe(0);
  });

  it('raised hands show on tiles and lead the list in the order they went up; lowering clears them', async () => {
    const { alice, bob, carol } = pages as Record<'alice' | 'bob' | 'carol', Page>;
    await carol.getByRole('button', { name: 'Raise hand' }).click();
    await bob.getByRole('button', { name: 'Raise hand' }).click();
    await tile(alice, 'Carol').getByRole('img', { name: 'Hand raised' }).waitFor({ timeout: 10_000 });
    await tile(alice, 'Bob').getByRole('img', { name: 'Hand raised' }).waitFor({ timeout: 10_000 });
    await alice.getByRole('button', { name: 'Your room', exact: true }).click();
    const rows = alice.getByRole('list', { name: 'Participants' }).getByRole('listitem');
    const order = async () => (await rows.allTextContents()).map((t) => /Alice|Bob|Carol/.exec(t)?.[0]);
    await expect.poll(order).toEqual(['Carol', 'Bob', 'Alice']);
    expect(await rows.filter({ hasText: 'Carol' }).getByRole('img', { name: 'Hand raised' }).count()).toBe(1);
    await carol.getByRole('button', { name: 'Lower hand' }).click();
    await expect.poll(() => tile(alice, 'Carol').getByRole('img', { name: 'Hand raised' }).count(), { timeout: 10_000 }).toBe(0);
    expect(await tile(alice, 'Bob').getByRole('img', { name: 'Hand raised' }).count()).toBe(1);
  });

  it('a reaction appears on the sender’s tile for everyone', async () => {
    const { alice, bob, carol } = pages as Record<'alice' | 'bob' | 'carol', Page>;
    await carol.getByRole('button', { name: 'Reactions' }).click();
    await carol.getByRole('button', { name: 'Party' }).click();
    for (const page of [alice, bob]) await tile(page, 'Carol').getByRole('img', { name: 'Reaction: Party' }).waitFor({ timeout: 10_000 });
    await carol.getByRole('img', { name: 'Reaction: Party' }).waitFor();
  });
});
