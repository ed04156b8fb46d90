import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNALING_LIMITS } from '../../crdt/wire';
import { startServer, type RunningServer } from '../../relay/server';

/** Real server, real sockets: what a browser and a hostile client can send to /signal. */
describe('signaling relay', () => {
  let server: RunningServer;
  let wsUrl: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({ host: '127.0.0.1', port: 0, staticDir: dir });
    wsUrl = server.url.replace('http', 'ws') + 'signal';
  });
  afterAll(() => server.close());

  /** A client that records every frame it receives and whether it was closed. */
  async function client() {
    const ws = new WebSocket(wsUrl);
    const frames: Record<string, unknown>[] = [];
    let closeCode: number | null = null;
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.on('close', (code) => (closeCode = code));
    ws.on('error', () => {});
    await new Promise((resolve) => ws.once('open', resolve));
    return {
      ws,
      frames,
      closed: () => closeCode,
      send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    };
  }
  const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));
  async function until(check: () => boolean, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await settle(10);
    }
  }

  it('delivers a publish to the other subscribers only, with the subscriber count', async () => {
    const [a, b, c] = await Promise.all([client(), client(), client()]);
    a.send({ type: 'subscribe', topics: ['room'] });
    b.send({ type: 'subscribe', topics: ['room'] });
    await settle();
    a.send({ type: 'publish', topic: 'room', data: 'hello' });
    await until(() => b.frames.length === 1);
    await settle();
    expect(b.frames[0]).toEqual({ type: 'publish', topic: 'room', data: 'hello', clients: 2 });
    expect(a.frames).toEqual([]);
    expect(c.frames).toEqual([]);
    for (const x of [a, b, c]) x.ws.close();
  });

  it('a topic one socket holds is a private mailbox; unsubscribe stops delivery', async () => {
    const [a, b, c] = await Promise.all([client(), client(), client()]);
    b.send({ type: 'subscribe', topics: ['peer-b'] });
    c.send({ type: 'subscribe', topics: ['peer-c'] });
    await settle();
    a.send({ type: 'publish', topic: 'peer-b', data: 'for b' });
    await until(() => b.frames.length === 1);
    expect(c.frames).toEqual([]);
    b.send({ type: 'unsubscribe', topics: ['peer-b'] });
    await settle();
    a.send({ type: 'publish', topic: 'peer-b', data: 'lost' });
    await settle();
    expect(b.frames).toHaveLength(1);
    for (const x of [a, b, c]) x.ws.close();
  });

  it('answers ping with pong and never forwards extra fields', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    b.send({ type: 'subscribe', topics: ['t'] });
    await settle();
    a.send({ type: 'ping' });
    a.send({ type: 'publish', topic: 't', data: 'x', from: 'spoofed', clients: 999, __proto__: { evil: 1 } });
    await until(() => a.frames.length === 1 && b.frames.length === 1);
    expect(a.frames[0]).toEqual({ type: 'pong' });
    expect(b.frames[0]).toEqual({ type: 'publish', topic: 't', data: 'x', clients: 1 });
    a.ws.close();
    b.ws.close();
  });

  it('survives garbage, oversize frames, topic hoarding and floods; honest clients keep working', async () => {
    const [honestA, honestB] = await Promise.all([client(), client()]);
    honestB.send({ type: 'subscribe', topics: ['honest'] });

    const garbage = await client();
    garbage.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
    for (const frame of ['{', 'null', '[]', '42', '"str"', '{"type":"nope"}', '{"type":"publish","topic":"t","data":5}', '{"type":"subscribe","topics":"t"}', '{"type":"subscribe","topics":[7]}']) {
      garbage.send(frame);
    }
    for (let i = 0; i < SIGNALING_LIMITS.maxMalformedFrames; i++) garbage.send('not json');
    await until(() => garbage.closed() === 1008);

    const huge = await client();
    huge.send({ type: 'publish', topic: 't', data: 'x'.repeat(100 * 1024) });
    await until(() => huge.closed() === 1009);

    const hoarder = await client();
    hoarder.send({ type: 'subscribe', topics: Array.from({ length: 1000 }, (_, i) => `t${i}`) });
    await until(() => hoarder.closed() === 1008);
    expect(hoarder.frames[0]).toEqual({ type: 'error', reason: 'too many topics' });

    const longTopic = await client();
    longTopic.send({ type: 'subscribe', topics: ['x'.repeat(SIGNALING_LIMITS.maxTopicLength + 1)] });

    const flooder = await client();
    for (let i = 0; i < 1000; i++) flooder.send({ type: 'ping' });
    await until(() => flooder.closed() === 1008);
    expect(flooder.frames.at(-1)).toEqual({ type: 'error', reason: 'too many messages' });

    honestA.send({ type: 'publish', topic: 'honest', data: 'still here' });
    await until(() => honestB.frames.length === 1);
    expect(honestB.frames[0]).toMatchObject({ data: 'still here' });
    for (const x of [honestA, honestB, longTopic]) x.ws.close();
  });

  it('forgets the topics of closed sockets', async () => {
    const a = await client();
    a.send({ type: 'subscribe', topics: ['ephemeral-1', 'ephemeral-2'] });
    await settle();
    a.ws.close();
    const b = await client();
    b.send({ type: 'publish', topic: 'ephemeral-1', data: 'anyone?' });
    await settle();
    expect(b.frames).toEqual([]);
    b.ws.close();
  });

  it('serves /healthz and the client with a Content-Security-Policy', async () => {
    expect(await (await fetch(new URL('/healthz', server.url))).text()).toBe('ok\n');
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(new URL('/nope.js', server.url))).status).toBe(404);
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + 'elsewhere');
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
