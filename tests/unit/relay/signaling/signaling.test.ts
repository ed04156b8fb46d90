import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNALING_LIMITS } from '../../../../crdt/protocol/wire';
import { startServer, type RunningServer } from '../../../../relay/server';
import { bareRelay, connect, settle, until, type Client } from '../../../support/signaling-socket';

/** Real server, real sockets: what a browser and a hostile client can send to /signal. */
describe('signaling relay', () => {
  let server: RunningServer;
  let wsUrl: string;
  const client = () => connect(wsUrl);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({ host: '127.0.0.1', port: 0, staticDir: dir });
    wsUrl = server.url.replace('http', 'ws') + 'signal';
  });
  afterAll(() => server.close());

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
    expect(b.frames[0]).toEqual({ type: 'publish', topic: 'peer-b', data: 'for b', clients: 1 });
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
    a.send('{"type":"publish","topic":"t","data":"x","from":"spoofed","clients":999,"__proto__":{"evil":1}}');
    await until(() => a.frames.length === 1 && b.frames.length === 1);
    expect(a.frames[0]).toEqual({ type: 'pong' });
    expect(b.frames[0]).toEqual({ type: 'publish', topic: 't', data: 'x', clients: 1 });
    a.ws.close();
    b.ws.close();
  });

  it('forwards a stock y-webrtc client\'s object payload (a room without password) untouched', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    b.send({ type: 'subscribe', topics: ['yroom'] });
    await settle();
    const data = { type: 'announce', from: 'peer-1' };
    a.send({ type: 'publish', topic: 'yroom', data });
    a.send({ type: 'publish', topic: 'yroom', data: ['arrays', 'are', 'not', 'payloads'] });
    await until(() => b.frames.length === 1);
    await settle();
    expect(b.frames).toEqual([{ type: 'publish', topic: 'yroom', data, clients: 1 }]);
    a.ws.close();
    b.ws.close();
  });

  it('forgets the topics of closed sockets', async () => {
    const a = await client();
    a.send({ type: 'subscribe', topics: ['ephemeral-1', 'ephemeral-2'] });
    await settle();
    a.ws.close();
    await until(() => a.closed() !== null);
    const b = await client();
    b.send({ type: 'publish', topic: 'ephemeral-1', data: 'anyone?' });
    await settle();
    expect(b.frames).toEqual([]);
    b.ws.close();
  });

  describe('hostile input: the offender is ignored or closed, an honest pair keeps working', () => {
    let honestA: Client;
    let honestB: Client;
    let sent = 0;
    beforeAll(async () => {
      [honestA, honestB] = await Promise.all([client(), client()]);
      honestB.send({ type: 'subscribe', topics: ['honest'] });
      await settle();
    });
    afterAll(() => {
      honestA.ws.close();
      honestB.ws.close();
    });
    async function expectHonestStillDelivers() {
      const data = `still here ${++sent}`;
      honestA.send({ type: 'publish', topic: 'honest', data });
      await until(() => honestB.frames.some((f) => f.data === data));
    }

    it('binary garbage, invalid JSON, unknown types and wrong field types are dropped, then the socket is closed', async () => {
      const garbage = await client();
      garbage.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
      const frames = ['{', 'null', '[]', '42', '"str"', '{"type":"nope"}', '{"type":"publish","topic":"t","data":5}', '{"type":"subscribe","topics":"t"}', '{"type":"subscribe","topics":[7]}', `{"type":"subscribe","topics":["${'x'.repeat(SIGNALING_LIMITS.maxTopicLength + 1)}"]}`, '{"type":"publish","topic":"","data":"x"}'];
      for (const frame of frames) garbage.send(frame);
      garbage.send({ type: 'ping' });
      await until(() => garbage.frames.length === 1);
      expect(garbage.frames[0]).toEqual({ type: 'pong' }); // tolerated so far: still served
      for (let i = 0; i < SIGNALING_LIMITS.maxMalformedFrames; i++) garbage.send('not json');
      await until(() => garbage.closed() === 1008);
      expect(garbage.frames.at(-1)).toEqual({ type: 'error', reason: 'too many malformed messages' });
      await expectHonestStillDelivers();
    });

    it('a 100 KB frame closes the socket with 1009', async () => {
      const huge = await client();
      huge.send({ type: 'publish', topic: 'honest', data: 'x'.repeat(100 * 1024) });
      await until(() => huge.closed() === 1009);
      await expectHonestStillDelivers();
      expect(honestB.frames.every((f) => typeof f.data === 'string' && f.data.length < 100)).toBe(true);
    });

    it('a huge topic list is refused with an error and 1008', async () => {
      const hoarder = await client();
      hoarder.send({ type: 'subscribe', topics: Array.from({ length: 1000 }, (_, i) => `t${i}`) });
      await until(() => hoarder.closed() === 1008);
      expect(hoarder.frames).toEqual([{ type: 'error', reason: 'too many topics' }]);
      await expectHonestStillDelivers();
    });

    it('a flood of 1,000 frames hits the rate limit', async () => {
      const flooder = await client();
      for (let i = 0; i < 1000; i++) flooder.send({ type: 'publish', topic: 'honest', data: 'spam' });
      await until(() => flooder.closed() === 1008);
      expect(flooder.frames.at(-1)).toEqual({ type: 'error', reason: 'too many messages' });
      const spam = honestB.frames.filter((f) => f.data === 'spam').length;
      expect(spam).toBeLessThanOrEqual(SIGNALING_LIMITS.frameBurst + SIGNALING_LIMITS.framesPerSecond);
      await expectHonestStillDelivers();
    });
  });

  describe('HTTP', () => {
    it('/metrics counts frames and sockets in Prometheus text', async () => {
      const metric = async (name: string) => {
        const text = await (await fetch(new URL('/metrics', server.url))).text();
        return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      };
      const outBefore = await metric('confab_signaling_frames_out_total');
      const [a, b] = await Promise.all([client(), client()]);
      b.send({ type: 'subscribe', topics: ['metered'] });
      await settle();
      expect(await metric('confab_signaling_sockets')).toBeGreaterThanOrEqual(2);
      a.send({ type: 'publish', topic: 'metered', data: 'x' });
      await until(() => b.frames.length === 1);
      expect(await metric('confab_signaling_frames_out_total')).toBe(outBefore + 1);
      expect(await metric('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
      expect(await metric('confab_signaling_rooms')).toBeGreaterThanOrEqual(0);
      expect(await metric('confab_signaling_subscriptions_refused_total')).toBe(0);
      a.ws.close();
      b.ws.close();
    });

    it('serves /healthz and the client with security headers', async () => {
      expect(await (await fetch(new URL('/healthz', server.url))).text()).toBe('ok\n');
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>t</title>');
      expect(page.headers.get('content-security-policy')).toBe(
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:",
      );
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await fetch(new URL('/index', server.url))).headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await fetch(new URL('/nope.js', server.url))).status).toBe(404);
    });

    it('survives a reversed Range header (sirv throws on it)', async () => {
      const res = await fetch(new URL('/index.html', server.url), { headers: { Range: 'bytes=10-5' } });
      expect(res.status).toBe(200);
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    });

    it('refuses WebSocket upgrades on other paths', async () => {
      const ws = new WebSocket(server.url.replace('http', 'ws') + 'elsewhere');
      const outcome = await new Promise<string>((resolve) => {
        ws.on('open', () => resolve('open'));
        ws.on('error', () => resolve('refused'));
      });
      expect(outcome).toBe('refused');
    });

    it('says 503 until the client is built, then serves it without a restart', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'confab-unbuilt-')), 'dist');
      const unbuilt = await startServer({ host: '127.0.0.1', port: 0, staticDir: dir });
      try {
        const res = await fetch(unbuilt.url);
        expect(res.status).toBe(503);
        expect(await res.text()).toContain('Client not built: run `npm run build`');
        mkdirSync(dir);
        writeFileSync(join(dir, 'index.html'), '<!doctype html><title>built</title>');
        const built = await fetch(unbuilt.url);
        expect(built.status).toBe(200);
        expect(await built.text()).toContain('built');
      } finally {
        await unbuilt.close();
        rmSync(join(dir, '..'), { recursive: true, force: true });
      }
    });
  });
});

/** The relay alone on a bare node:http server, with limits tight enough to test quickly. */
describe('createSignalingRelay', () => {
  it('stats() count sockets and topics, and drop to zero when sockets close', async () => {
    const bare = await bareRelay();
    try {
      const [a, b] = await Promise.all([connect(bare.wsUrl), connect(bare.wsUrl)]);
      a.send({ type: 'subscribe', topics: ['x', 'y', 'x'] });
      b.send({ type: 'subscribe', topics: ['y', 'z'] });
      await until(() => bare.relay.stats().topics === 3);
      expect(bare.relay.stats()).toMatchObject({ sockets: 2, topics: 3 });
      a.ws.close();
      b.ws.terminate();
      await until(() => bare.relay.stats().sockets === 0);
      expect(bare.relay.stats()).toMatchObject({ sockets: 0, topics: 0 });
    } finally {
      await bare.close();
    }
  });

  it('applies the limits it is given: a burst of 5 allows 5 frames, not 6', async () => {
    const bare = await bareRelay({ ...SIGNALING_LIMITS, frameBurst: 5, framesPerSecond: 1 });
    try {
      const a = await connect(bare.wsUrl);
      for (let i = 0; i < 5; i++) a.send({ type: 'ping' });
      await until(() => a.frames.length === 5);
      expect(a.closed()).toBeNull();
      a.send({ type: 'ping' });
      await until(() => a.closed() === 1008);
      expect(a.frames.at(-1)).toEqual({ type: 'error', reason: 'too many messages' });
    } finally {
      await bare.close();
    }
  });

  it('drops half-open sockets that stop answering pings, keeps live ones', async () => {
    const bare = await bareRelay(SIGNALING_LIMITS, { heartbeatIntervalMs: 50 });
    try {
      const [live, halfOpen] = await Promise.all([connect(bare.wsUrl), connect(bare.wsUrl, { autoPong: false })]);
      await until(() => halfOpen.closed() !== null);
      await settle(150);
      expect(live.closed()).toBeNull();
      expect(bare.relay.stats().sockets).toBe(1);
      live.ws.close();
    } finally {
      await bare.close();
    }
  });
});
