import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient } from '../../../../client/src/signaling/signaling-client';

/** A WebSocket stand-in: the test opens it, answers it, or lets it go silent (half-open). */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(frame: string): void {
    this.sent.push(frame);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  pings(): number {
    return this.sent.filter((f) => f === '{"type":"ping"}').length;
  }
  pong(): void {
    this.onmessage?.({ data: '{"type":"pong"}' });
  }
}

/** probe(): how a half-open signaling socket is found and replaced during a network drop. */
describe('SignalingClient probe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  function client() {
    let opened = 0;
    const statuses: string[] = [];
    const c = new SignalingClient({
      url: 'ws://relay/signal',
      onMessage: () => {},
      onOpen: () => opened++,
      onStatus: (s) => statuses.push(s),
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    return { c, statuses, opened: () => opened };
  }

  it('a socket that answers the ping is kept', () => {
    const { c } = client();
    FakeSocket.all[0]!.open();
    c.probe();
    expect(FakeSocket.all[0]!.pings()).toBe(1);
    FakeSocket.all[0]!.pong();
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.all).toHaveLength(1);
    c.close();
  });

  it('a silent (half-open) socket is replaced 2 s after the probe, and the room is re-announced on open', () => {
    const { c, statuses, opened } = client();
    FakeSocket.all[0]!.open();
    c.probe();
    c.probe(); // one probe at a time
    expect(FakeSocket.all[0]!.pings()).toBe(1);
    vi.advanceTimersByTime(2_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[0]!.closed).toBe(true);
    expect(statuses.at(-1)).toBe('reconnecting');
    FakeSocket.all[1]!.open();
    expect(statuses.at(-1)).toBe('open');
    expect(opened()).toBe(2);
    c.close();
  });

  it('while not open, a probe dials again at once instead of waiting out the backoff', () => {
    const { c } = client();
    vi.advanceTimersByTime(1_000);
    c.probe(); // the first attempt hangs (its packets go nowhere)
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1_500);
    c.probe();
    expect(FakeSocket.all).toHaveLength(2);
    c.probe(); // the new attempt gets its time
    expect(FakeSocket.all).toHaveLength(2);
    c.close();
  });

  it('a connection attempt that hangs is abandoned after 10 s even without probes', () => {
    const { c } = client();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[0]!.closed).toBe(true);
    c.close();
  });

  it('the routine ping is lenient: a pong within 10 s keeps the socket', () => {
    const { c } = client();
    FakeSocket.all[0]!.open();
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.all[0]!.pings()).toBe(1);
    vi.advanceTimersByTime(9_000);
    FakeSocket.all[0]!.pong();
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(6_000 + 10_000); // next ping at 40 s, never answered
    expect(FakeSocket.all).toHaveLength(2);
    c.close();
  });
});
