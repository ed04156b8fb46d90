import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { repoRoot } from '../support/relay-process';
import { createRoom, framesDecoded, joinRoom, openChat, peerIds } from '../support/room-actions';

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Click Join → first decoded remote frame, for a newcomer joining a room of one. `phases`, if
 * given, collects where each join's time went: the page's join marks (session/join-timeline.ts).
 */
export async function joinToFirstFrameMs(browser: Browser, baseUrl: string, joins: number, phases?: Record<string, number[]>): Promise<number[]> {
  const host = (await newParticipant(browser)).page;
  const link = await createRoom(host, baseUrl);
  await joinRoom(host, 'Host');
  const times: number[] = [];
  for (let i = 0; i < joins; i++) {
    const { context, page } = await newParticipant(browser);
    await page.goto(link);
    await page.getByLabel('Your name').fill(`Guest ${i}`);
    const join = page.getByRole('button', { name: 'Join', exact: true });
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('form.join-form button')?.disabled);
    const t0 = Date.now();
    await join.click();
    for (;;) {
      const [peer] = await peerIds(page).catch(() => []);
      if (peer && (await framesDecoded(page, peer)) > 0) break;
      if (Date.now() - t0 > 30_000) throw new Error('no frame within 30 s');
      await page.waitForTimeout(10);
    }
    times.push(Date.now() - t0);
    if (phases) {
      const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const));
      const at = new Map(marks);
      for (const [name, ms] of at) if (name !== 'confab:join') (phases[name.slice('confab:'.length)] ??= []).push(ms - at.get('confab:join')!);
    }
    await context.close();
    await host.waitForTimeout(500);
  }
  await host.context().close();
  return times;
}

/** The floor: two bare RTCPeerConnections in one page, createOffer → first decoded frame. */
export async function barePeerConnectionMs(browser: Browser, baseUrl: string, runs: number): Promise<number[]> {
  const { context, page } = await newParticipant(browser);
  await page.goto(baseUrl);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await page.evaluate(bareCall));
  await context.close();
  return times;
}

async function bareCall(): Promise<number> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  for (const t of stream.getTracks()) a.addTrack(t, stream);
  const t0 = performance.now();
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  for (;;) {
    let frames = 0;
    (await b.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
    });
    if (frames > 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const elapsed = performance.now() - t0;
  a.close();
  b.close();
  stream.getTracks().forEach((t) => t.stop());
  return elapsed;
}

/** Chat typed by one of three people: ms until it shows on each of the two others. */
export async function chatPropagationMs(browser: Browser, baseUrl: string, messages: number): Promise<number[]> {
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) pages.push((await newParticipant(browser)).page);
  const [sender, ...receivers] = pages as [Page, Page, Page];
  const link = await createRoom(sender, baseUrl);
  await joinRoom(sender, 'Sender');
  for (const [i, page] of receivers.entries()) await joinRoom(page, `Receiver ${i}`, link);
  for (const page of pages) {
    await page.waitForFunction(() => (window.confabDebug?.peerIds().length ?? 0) === 2, undefined, { timeout: 30_000 });
    await openChat(page);
  }
  const delays: number[] = [];
  for (let i = 0; i < messages; i++) {
    const text = `bench message ${i}`;
    const arrivals = receivers.map((page) =>
      page.evaluate(
        (wanted) =>
          new Promise<number>((resolve) => {
            // No named inner functions: tsx would wrap them in a helper the page does not have.
            const observer = new MutationObserver(() => {
              if ([...document.querySelectorAll('.chat-text')].some((el) => el.textContent === wanted)) {
                observer.disconnect();
                resolve(Date.now());
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          }),
        text,
      ),
    );
    await sender.getByLabel('Message').fill(text);
    const sentAt = await sender.evaluate(() => {
      const t0 = Date.now();
      document.querySelector<HTMLButtonElement>('form.chat-form button')!.click();
      return t0;
    });
    for (const at of await Promise.all(arrivals)) delays.push(at - sentAt);
  }
  for (const page of pages) await page.context().close();
  return delays;
}

export function bundleSizes(): { file: string; bytes: number; gzipBytes: number }[] {
  const dir = join(repoRoot, 'dist', 'assets');
  return readdirSync(dir)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((file) => {
      const body = readFileSync(join(dir, file));
      return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
    });
}
