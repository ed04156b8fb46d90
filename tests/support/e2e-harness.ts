import { createSocket } from 'node:dgram';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { startRelay, type RelayProcess } from './relay-process';

/**
 * Registers beforeAll/afterAll for a describe block: a real relay process on a free port and
 * one Chromium (each participant gets its own context). `relay` may be replaced by a test
 * that restarts it; whatever it holds at the end is stopped.
 */
export function useRelayAndBrowser(relayArgs: string[] | (() => Promise<string[]>) = []): { relay: RelayProcess; browser: Browser } {
  const harness = {} as { relay: RelayProcess; browser: Browser };
  beforeAll(async () => {
    harness.relay = await startRelay({ args: typeof relayArgs === 'function' ? await relayArgs() : relayArgs });
    harness.browser = await launchChromium();
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.relay?.stop();
  });
  return harness;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
