import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newParticipant } from '../support/browser';
import { startRelay, type RelayProcess } from '../support/relay-process';

interface Lab {
  basicCall(holdOfferMs: number): Promise<{ remoteCandidateTypesAtB: string[]; framesAtA: number; framesAtB: number; received: string[]; mids: number[] }>;
  glare(): Promise<{ states: string[]; negotiated: number[]; received: string[] }>;
  malformedSignals(): Promise<{ states: string[]; signaling: string[] }>;
  restartAndStaleDial(): Promise<{ restarted: boolean; staleIgnored: boolean; sameDial: boolean; states: string[]; signaling: string[] }>;
}

/** PeerLink's perfect negotiation, with real RTCPeerConnections in Chromium. */
describe('peer negotiation in Chromium', () => {
  let relay: RelayProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./negotiation-lab.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      write: false,
      target: 'es2022',
    });
    relay = await startRelay();
    browser = await launchChromium();
    page = (await newParticipant(browser)).page;
    await page.goto(new URL('/healthz', relay.url).href); // a blank page on a secure origin
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  const lab = <K extends keyof Lab>(method: K, ...args: Parameters<Lab[K]>) =>
    page.evaluate(
      ([m, a]) => (window as unknown as { negotiationLab: Record<string, (...x: unknown[]) => unknown> }).negotiationLab[m as string]!(...(a as unknown[])),
      [method, args] as const,
    ) as ReturnType<Lab[K]>;

  it('one offer/answer carries audio, video and data both ways', async () => {
    const result = await lab('basicCall', 0);
    expect(result.framesAtA).toBeGreaterThan(0);
    expect(result.framesAtB).toBeGreaterThan(0);
    expect(result.received.sort()).toEqual(['ping from a', 'ping from b']);
    expect(result.mids).toEqual([3, 3]); // audio, camera, screen: the answer reused the offered transceivers
  });

  it('candidates that arrive before the offer are queued, not lost', async () => {
    // The offer is held 400 ms while its trickled candidates go ahead of it.
    const result = await lab('basicCall', 400);
    expect(result.framesAtB).toBeGreaterThan(0);
    expect(result.received).toHaveLength(2);
    // Had they been dropped, B would know A only as a peer-reflexive address from its checks.
    expect(result.remoteCandidateTypesAtB).toContain('host');
  });

  it('crossing offers (glare) resolve: both sides end stable with both new m-lines', async () => {
    const result = await lab('glare');
    expect(result.states).toEqual(['connected', 'connected']);
    expect(result.negotiated).toEqual([5, 5]);
    expect(result.received).toContain('after glare');
  });

  it('malformed SDP and candidates from a peer are refused without breaking the call', async () => {
    const result = await lab('malformedSignals');
    expect(result.states).toEqual(['connected', 'connected']);
    expect(result.signaling).toEqual(['stable', 'stable']);
  });

  it('an ICE restart renegotiates a live call; signals of another connection (dial) are ignored', async () => {
    const result = await lab('restartAndStaleDial');
    expect(result.restarted).toBe(true);
    expect(result.sameDial).toBe(true);
    expect(result.staleIgnored).toBe(true);
    expect(result.states).toEqual(['connected', 'connected']);
    expect(result.signaling).toEqual(['stable', 'stable']);
  });
});
