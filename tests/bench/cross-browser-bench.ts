import type { Browser } from 'playwright-core';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { newParticipant } from '../support/browser';
import { FIREFOX_PATH, launchFirefox } from '../support/firefox';
import { startRelay } from '../support/relay-process';
import { createRoom, joinRoom } from '../support/room-actions';
import { percentile } from './client-bench';

const JOINS = Number(process.env.BENCH_CROSS_JOINS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CrossJoin {
  topology: 'mesh' | 'relay';
  newcomer: 'Chromium' | 'Firefox';
  /** Click Join → the newcomer decodes the host's first frame, ms. */
  newcomerMs: number[];
  /** Click Join → the host (Chromium) decodes the newcomer's first frame, ms. */
  hostMs: number[];
}

/** What a joining page offers the bench: click Join, then read frames decoded from a peer. */
interface Newcomer {
  ready(link: string, name: string): Promise<void>;
  clickJoin(): Promise<void>;
  firstPeerFrames(): Promise<{ id: string; frames: number } | null>;
  selfId(): Promise<string>;
  close(): Promise<void>;
}

async function chromiumNewcomer(browser: Browser): Promise<Newcomer> {
  const { context, page } = await newParticipant(browser);
  return {
    async ready(link, name) {
      await page.goto(link);
      await page.getByLabel('Your name').fill(name);
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('form.join-form button')?.disabled);
    },
    clickJoin: () => page.getByRole('button', { name: 'Join', exact: true }).click(),
    firstPeerFrames: () => page.evaluate(firstPeerFramesInPage).catch(() => null),
    selfId: () => page.evaluate(() => window.confabDebug?.selfId ?? ''),
    close: () => context.close(),
  };
}

async function firefoxNewcomer(firefox: FirefoxBrowser): Promise<Newcomer> {
  const context = await firefox.createBrowserContext();
  const page = await context.newPage();
  return {
    async ready(link, name) {
      await page.goto(link);
      const input = await page.waitForSelector('::-p-aria(Your name)', { timeout: 15_000 });
      await input!.type(name);
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('form.join-form button')?.disabled, { timeout: 15_000 });
    },
    clickJoin: async () => (await page.waitForSelector('::-p-aria([name="Join"][role="button"])'))!.click(),
    firstPeerFrames: () => page.evaluate(firstPeerFramesInPage).catch(() => null),
    selfId: () => page.evaluate(() => window.confabDebug?.selfId ?? ''),
    close: () => context.close(),
  };
}

async function firstPeerFramesInPage(): Promise<{ id: string; frames: number } | null> {
  const d = window.confabDebug;
  const id = d?.peerIds()[0];
  return d && id ? { id, frames: await d.framesDecoded(id) } : null;
}

/**
 * Join → first remote frame, both ways, for a newcomer in Chromium or Firefox joining a host in
 * Chromium, in a mesh and through the relay (--mesh-max 1), side by side in one run.
 */
export async function crossBrowserJoins(chromium: Browser): Promise<CrossJoin[]> {
  const firefox = await launchFirefox();
  const results: CrossJoin[] = [];
  try {
    for (const topology of ['mesh', 'relay'] as const) {
      const relay = await startRelay({ args: topology === 'relay' ? ['--mesh-max', '1'] : [] });
      try {
        const host = (await newParticipant(chromium)).page;
        const link = await createRoom(host, relay.url);
        await joinRoom(host, 'Host');
        for (const newcomer of ['Chromium', 'Firefox'] as const) {
          const r: CrossJoin = { topology, newcomer, newcomerMs: [], hostMs: [] };
          for (let i = 0; i < JOINS; i++) {
            const guest = newcomer === 'Chromium' ? await chromiumNewcomer(chromium) : await firefoxNewcomer(firefox);
            await guest.ready(link, `${newcomer} ${i}`);
            const t0 = Date.now();
            await guest.clickJoin();
            let newcomerMs = 0;
            let hostMs = 0;
            let guestId = '';
            while (!newcomerMs || !hostMs) {
              if (Date.now() - t0 > 30_000) throw new Error(`${newcomer} joining (${topology}): no frame both ways within 30 s`);
              if (!newcomerMs && ((await guest.firstPeerFrames())?.frames ?? 0) > 0) newcomerMs = Date.now() - t0;
              guestId ||= await guest.selfId().catch(() => '');
              if (!hostMs && guestId && (await host.evaluate((id) => window.confabDebug!.framesDecoded(id), guestId).catch(() => 0)) > 0) hostMs = Date.now() - t0;
              await sleep(10);
            }
            r.newcomerMs.push(newcomerMs);
            r.hostMs.push(hostMs);
            await guest.close();
            await sleep(1_000);
          }
          results.push(r);
        }
        await host.context().close();
      } finally {
        await relay.stop();
      }
    }
  } finally {
    await firefox.close();
  }
  return results;
}

export function printCrossBrowserJoins(results: CrossJoin[]): void {
  const med = (v: number[]) => `${percentile(v, 50).toFixed(0)} ms`;
  console.log(`\nJoin → first remote frame across engines (host: Chromium; Firefox: ${FIREFOX_PATH}; ${JOINS} joins each)\n`);
  console.table(
    Object.fromEntries(
      results.map((r) => [
        `${r.topology}: Chromium ↔ ${r.newcomer}`,
        { 'newcomer sees host (median)': med(r.newcomerMs), 'host sees newcomer (median)': med(r.hostMs), newcomer: r.newcomerMs.join(' '), host: r.hostMs.join(' ') },
      ]),
    ),
  );
}
