import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import type { Page as ChromiumPage } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { ffClick, ffJoinRoom, ffSendChat, launchFirefox, newFirefoxPage, useCanvasAsScreen } from '../support/firefox';
import { createRoom, joinRoom, sendChat, waitUntil } from '../support/room-actions';

/**
 * A mixed room, 2 Chromium + 1 Firefox (stock ESR over WebDriver BiDi), in mesh and through the
 * relay: everyone decodes everyone's camera and hears everyone's microphone, chat crosses
 * engines, every frame is sealed and opened by the end-to-end encryption of both engines,
 * Firefox's shared screen shows in Chromium, and Firefox leaving and rejoining works.
 */
interface Person {
  name: string;
  engine: 'chromium' | 'firefox';
  id: string;
  run<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

const chromiumPerson = (name: string, page: ChromiumPage): Person => ({
  name,
  engine: 'chromium',
  id: '',
  run: (fn, arg) => page.evaluate(fn as never, arg) as never,
});
const firefoxPerson = (name: string, page: FirefoxPage): Person => ({
  name,
  engine: 'firefox',
  id: '',
  run: (fn, arg) => page.evaluate(fn as never, arg) as never,
});

/** Three browsers on two shared cores: a room takes longer than the suite's default to come together. */
const TIMEOUT_MS = 240_000;
const step = (what: string) => console.log(`[cross-browser] ${new Date().toISOString().slice(11, 19)} ${what}`);

const peerIds = (p: Person) => p.run(() => window.confabDebug?.peerIds() ?? [], null);
const frames = (p: Person, id: string) => p.run((peer) => window.confabDebug!.framesDecoded(peer), id);
const audioPeak = (p: Person, id: string) => p.run((peer) => window.confabDebug!.audioPeak(peer, 3_000), id);
const screenFrames = (p: Person, id: string) => p.run((peer) => window.confabDebug!.screenFrames(peer), id);

/** `viewer` decodes `from`'s camera: frames rising by more than 3 within the wait. */
async function expectDecodes(viewer: Person, from: Person): Promise<void> {
  const what = `${viewer.name} (${viewer.engine}) decoding ${from.name}'s camera (${from.engine})`;
  await waitUntil(async () => (await frames(viewer, from.id)) > 0, 20_000, `${what}: first frame`);
  const before = await frames(viewer, from.id);
  await waitUntil(async () => (await frames(viewer, from.id)) > before + 3, 10_000, `${what}: frames rising`);
}

function mixedRoom(mode: 'mesh' | 'relay', relayArgs: string[]): void {
  describe(`a mixed room in ${mode} mode: Alice and Bob in Chromium, Fox in Firefox`, () => {
    const h = useRelayAndBrowser(relayArgs);
    let firefox: FirefoxBrowser;
    let foxPage: FirefoxPage;
    let alicePage: ChromiumPage;
    let bobPage: ChromiumPage;
    let link = '';
    const people: Person[] = [];
    const alice = () => people[0]!;
    const bob = () => people[1]!;
    const fox = () => people[2]!;

    beforeAll(async () => {
      firefox = await launchFirefox();
      foxPage = await newFirefoxPage(firefox);
      alicePage = (await newParticipant(h.browser)).page;
      bobPage = (await newParticipant(h.browser)).page;
    });
    afterAll(() => firefox?.close());

    it(`everyone decodes every camera and hears every microphone, across engines (${mode})`, async () => {
      people.length = 0; // a retry starts a fresh room
      link = await createRoom(alicePage, h.relay.url);
      await joinRoom(alicePage, 'Alice');
      await joinRoom(bobPage, 'Bob', link);
      await ffJoinRoom(foxPage, 'Fox', link);
      people.push(chromiumPerson('Alice', alicePage), chromiumPerson('Bob', bobPage), firefoxPerson('Fox', foxPage));
      step(`${mode}: all three joined`);
      for (const p of people) {
        await waitUntil(async () => (await peerIds(p)).length === 2, 30_000, `${p.name} connected to both others`);
        await waitUntil(async () => (await p.run(() => window.confabDebug!.topology(), null)) === mode, 30_000, `${p.name} in ${mode} mode`);
        p.id = await p.run(() => window.confabDebug!.selfId, null);
      }
      step(`${mode}: all connected`);
      for (const viewer of people) for (const from of people) if (from !== viewer) await expectDecodes(viewer, from);
      step(`${mode}: every camera decoded everywhere`);
      for (const listener of people) {
        for (const from of people) {
          if (from === listener) continue;
          await waitUntil(async () => (await audioPeak(listener, from.id)) > 0.01, 20_000, `${listener.name} (${listener.engine}) hearing ${from.name} (${from.engine})`);
        }
      }
    }, TIMEOUT_MS);

    it(`chat crosses engines, and every frame is sealed and opened by both engines' encoded transforms (${mode})`, async () => {
      await ffSendChat(foxPage, 'Hello from Firefox');
      await sendChat(alicePage, 'Hello from Chromium');
      for (const p of people) {
        await expect.poll(() => p.run(() => window.confabDebug!.chatTexts(), null), { timeout: 10_000 }).toEqual(expect.arrayContaining(['Hello from Firefox', 'Hello from Chromium']));
      }
      for (const p of people) {
        const counts = await p.run(() => window.confabDebug!.e2ee(), null);
        console.log(`[cross-browser ${mode}] ${p.name} (${p.engine}) e2ee: ${JSON.stringify(counts)}`);
        expect(counts.sealed, `${p.name} seals what it sends`).toBeGreaterThan(50);
        expect(counts.opened, `${p.name} opens what it receives`).toBeGreaterThan(50);
      }
    }, TIMEOUT_MS);

    it(`Fox shares a screen from Firefox and both Chromium pages show it (${mode})`, async () => {
      await useCanvasAsScreen(foxPage);
      await ffClick(foxPage, 'Share screen');
      for (const viewer of [alice(), bob()]) {
        await waitUntil(async () => (await screenFrames(viewer, fox().id)).framesDecoded > 0, 20_000, `${viewer.name} decoding Fox's screen`);
        const s = await screenFrames(viewer, fox().id);
        await waitUntil(async () => (await screenFrames(viewer, fox().id)).framesDecoded > s.framesDecoded + 3, 10_000, `${viewer.name}: Fox's screen frames rising`);
        console.log(`[cross-browser ${mode}] ${viewer.name} shows Fox's screen: ${JSON.stringify(await screenFrames(viewer, fox().id))}`);
        expect((await screenFrames(viewer, fox().id)).via).toBe(mode);
      }
      await ffClick(foxPage, 'Share screen'); // stop sharing
    }, TIMEOUT_MS);

    it(`Fox leaves and rejoins from Firefox: everyone sees everyone again (${mode})`, async () => {
      await ffClick(foxPage, 'Leave');
      for (const p of [alice(), bob()]) await waitUntil(async () => !(await peerIds(p)).includes(fox().id), 20_000, `${p.name} sees Fox gone`);
      // As a person does on "You left the room" (the link is still the page's address).
      await ffClick(foxPage, 'Rejoin');
      await ffJoinRoom(foxPage, 'Fox');
      fox().id = await fox().run(() => window.confabDebug!.selfId, null);
      for (const p of people) await waitUntil(async () => (await peerIds(p)).length === 2, 30_000, `${p.name} connected to both others again`);
      for (const viewer of people) for (const from of people) if (from !== viewer) await expectDecodes(viewer, from);
      step(`${mode}: Fox rejoined, everyone decodes everyone`);
    }, TIMEOUT_MS);
  });
}

mixedRoom('mesh', []);
// --mesh-max 2: three people go through the relay node.
mixedRoom('relay', ['--mesh-max', '2']);
