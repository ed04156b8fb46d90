import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient } from '../../../../client/src/signaling/signaling-client';
import { FakeWebSocket as FakeSocket } from '../../../support/fake-rtc';

/** probe(): how a half-open signaling socket is found and replaced during a network drop. */
describe('SignalingClient probe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.made = [];
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
    FakeSocket.made[0]!.open();
    c.probe();
    expect(FakeSocket.made[0]!.frames().filter((f) => f.type === 'ping').length).toBe(1);
    FakeSocket.made[0]!.receive({ type: 'pong' });
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.made).toHaveLength(1);
    c.close();
  });

  it('a silent (half-open) socket is replaced 2 s after the probe, and the room is re-announced on open', () => {
    const { c, statuses, opened } = client();
    FakeSocket.made[0]!.open();
    c.probe();
    c.probe(); // one probe at a time
    expect(FakeSocket.made[0]!.frames().filter((f) => f.type === 'ping').length).toBe(1);
    vi.advanceTimersByTime(2_000);
    expect(FakeSocket.made).toHaveLength(2);
    expect(FakeSocket.made[0]!.readyState).toBe(3);
    expect(statuses.at(-1)).toBe('reconnecting');
    FakeSocket.made[1]!.open();
    expect(statuses.at(-1)).toBe('open');
    expect(opened()).toBe(2);
    c.close();
  });

  it('while not open, a probe dials again at once instead of waiting out the backoff', () => {
    const { c } = client();
    vi.advanceTimersByTime(1_000);
    c.probe(); // the first attempt hangs (its packets go nowhere)
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1_500);
    c.probe();
    expect(FakeSocket.made).toHaveLength(2);
    c.probe(); // the new attempt gets its time
    expect(FakeSocket.made).toHaveLength(2);
    c.close();
  });

  it('a connection attempt that hangs is abandoned after 10 s even without probes', () => {
    const { c } = client();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.made).toHaveLength(2);
    expect(FakeSocket.made[0]!.readyState).toBe(3);
    c.close();
  });

  it('the routine ping is lenient: a pong within 10 s keeps the socket', () => {
    const { c } = client();
    FakeSocket.made[0]!.open();
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.made[0]!.frames().filter((f) => f.type === 'ping').length).toBe(1);
    vi.advanceTimersByTime(9_000);
    FakeSocket.made[0]!.receive({ type: 'pong' });
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(6_000 + 10_000); // next ping at 40 s, never answered
    expect(FakeSocket.made).toHaveLength(2);
    c.close();
  });
});
