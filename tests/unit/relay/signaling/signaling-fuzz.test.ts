import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { prng } from '../../../support/prng';
import { startRelay, type RelayProcess } from '../../../support/relay-process';

const FRAMES = 10_000;
const FRAMES_PER_SOCKET = 15;

/** One malformed (or hostile but well-formed) frame of a random family. */
function hostileFrame(rand: () => number): string | Buffer {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  switch (Math.floor(rand() * 8)) {
    case 0:
      return junk(1 + Math.floor(rand() * 256));
    case 1:
      return junk(1 + Math.floor(rand() * 64)).toString('latin1');
    case 2: // valid JSON, wrong shapes
      return JSON.stringify(pick([null, 0, [], 'publish', { type: 7 }, { type: 'publish' }, { type: 'subscribe', topics: {} }, { type: 'unsubscribe', topics: [null] }]));
    case 3: // a valid frame with one field swapped for garbage
      return JSON.stringify({ type: 'publish', topic: pick(['', 5, null, 'x'.repeat(500), ['t']]), data: pick([1, null, {}, 'ok']) });
    case 4: // deep nesting
      return '['.repeat(5000) + ']'.repeat(5000);
    case 5: // truncated JSON
      return JSON.stringify({ type: 'publish', topic: 'room', data: 'abc' }).slice(0, Math.floor(rand() * 30));
    case 6: // prototype games
      return '{"type":"subscribe","topics":["__proto__","constructor","hasOwnProperty"]}';
    default: // publish to a random topic nobody holds
      return JSON.stringify({ type: 'publish', topic: `t${Math.floor(rand() * 1e6)}`, data: 'x'.repeat(Math.floor(rand() * 1000)) });
  }
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

describe('signaling relay fuzz (seeded, real relay process)', () => {
  let relay: RelayProcess;
  let wsUrl: string;

  beforeAll(async () => {
    relay = await startRelay();
    wsUrl = relay.url.replace('http', 'ws') + 'signal';
  });
  afterAll(() => relay.stop());

  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  it(`survives ${FRAMES.toLocaleString()} hostile frames with bounded memory; honest peers unaffected`, async () => {
    const pid = relay.process.pid!;
    const honestA = await open();
    const honestB = await open();
    const got: string[] = [];
    honestB.on('message', (d) => {
      const frame = JSON.parse(d.toString());
      if (frame.type === 'publish') got.push(frame.data);
    });
    honestB.send(JSON.stringify({ type: 'subscribe', topics: ['honest'] }));

    const rand = prng(20261125);
    const rssBeforeKiB = rssKiB(pid);
    let sent = 0;
    let sockets = 0;
    while (sent < FRAMES) {
      const ws = await open();
      ws.on('error', () => {});
      sockets++;
      // Fewer frames than the malformed-frame limit, then a ping: its pong proves the relay
      // read every one of them (frames on a socket are handled in order).
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.on('message', (d) => d.toString() === '{"type":"pong"}' && resolve());
        for (let i = 0; i < FRAMES_PER_SOCKET && sent < FRAMES; i++, sent++) ws.send(hostileFrame(rand));
        ws.send('{"type":"ping"}');
      });
      ws.terminate();
      if (sockets % 50 === 0) honestA.send(JSON.stringify({ type: 'publish', topic: 'honest', data: `tick ${sockets}` }));
    }
    honestA.send(JSON.stringify({ type: 'publish', topic: 'honest', data: 'last' }));
    const deadline = Date.now() + 3_000;
    while (!got.includes('last') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    expect(relay.process.exitCode).toBeNull();
    expect((await fetch(new URL('/healthz', relay.url))).status).toBe(200);
    expect(got).toContain('last');
    expect(got.length).toBe(Math.floor(sockets / 50) + 1);
    const growthKiB = rssKiB(pid) - rssBeforeKiB;
    console.log(`fuzz: ${sent} frames over ${sockets} sockets; relay RSS ${rssBeforeKiB} KiB → +${growthKiB} KiB`);
    expect(growthKiB).toBeLessThan(64 * 1024);
    honestA.close();
    honestB.close();
  });
});
