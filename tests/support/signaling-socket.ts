import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SIGNALING_LIMITS } from '../../crdt/protocol/wire';
import { createSignalingRelay, type SignalingLimits, type SignalingRelayOptions } from '../../relay/signaling';
import { sleep, until } from './wait';

export type Frame = Record<string, unknown>;

/** A client that records every frame after the welcome and how it was closed. */
export async function connect(wsUrl: string, opts: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(wsUrl, opts);
  const frames: Frame[] = [];
  let closeCode: number | null = null;
  let welcome: Frame | undefined;
  const welcomed = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (welcome) return frames.push(frame);
      welcome = frame;
      resolve();
    }),
  );
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => {});
  await welcomed;
  return {
    ws,
    frames,
    welcome: welcome!,
    closed: () => closeCode,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  };
}
export type Client = Awaited<ReturnType<typeof connect>>;

export const settle = (ms = 100) => sleep(ms);
export { until };

/** The relay alone on a bare node:http server, with limits tight enough to test quickly. */
export async function bareRelay(limits: SignalingLimits = SIGNALING_LIMITS, opts: SignalingRelayOptions = {}) {
  const relay = createSignalingRelay(limits, opts);
  const http = createServer();
  http.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    relay,
    wsUrl: `ws://127.0.0.1:${port}/signal`,
    async close() {
      await relay.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

