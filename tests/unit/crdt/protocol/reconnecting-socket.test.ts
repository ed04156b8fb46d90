import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingSocket, type DownCause } from '../../../../crdt/protocol/reconnecting-socket';
import { FakeWebSocket } from '../../../support/fake-rtc';

/** The one reconnecting socket of the page's signaling client and a joined relay's, on a fake socket and fake timers. */
function socket() {
  const downs: [DownCause, string, number][] = [];
  const frames: unknown[] = [];
  let opened = 0;
  const conn = new ReconnectingSocket<FakeWebSocket>({
    dial: () => new FakeWebSocket('ws://signal'),
    onOpen: () => opened++,
    onFrame: (f) => frames.push(f),
    onDown: (cause, reason, ms) => downs.push([cause, reason, ms]),
    describe: (ev) => ((ev as { reason?: string } | undefined)?.reason ? `said ${(ev as { reason: string }).reason}` : 'closed'),
  });
  const last = () => FakeWebSocket.made.at(-1)!;
  return { conn, downs, frames, opened: () => opened, last };
}

beforeEach(() => {
  FakeWebSocket.made = [];
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('ReconnectingSocket', () => {
  it('dials again after a close with a doubling backoff, reset once a socket opens', () => {
    const s = socket();
    s.last().close();
    s.last().close(); // the same socket: nothing more
    expect(s.downs).toEqual([['closed', 'closed', 500]]);
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.made).toHaveLength(2);
    s.last().close();
    vi.advanceTimersByTime(1_000);
    s.last().close();
    expect(s.downs.map((d) => d[2])).toEqual([500, 1_000, 2_000]);
    vi.advanceTimersByTime(2_000);
    s.last().open();
    expect(s.opened()).toBe(1);
    s.last().close();
    expect(s.downs.at(-1)![2]).toBe(500);
  });

  it('replaces a socket that misses a pong, or hangs while connecting, at once', () => {
    const s = socket();
    vi.advanceTimersByTime(10_000);
    expect(s.downs).toEqual([['connect-timeout', 'no answer while connecting', 0]]);
    s.last().open();
    vi.advanceTimersByTime(20_000); // the routine ping
    expect(s.last().frames()).toEqual([{ type: 'ping' }]);
    s.last().receive({ type: 'pong' });
    vi.advanceTimersByTime(10_000);
    expect(FakeWebSocket.made).toHaveLength(2);
    expect(s.conn.pongsReceived).toBe(1);
    vi.advanceTimersByTime(10_000 + 10_000); // the next ping goes unanswered
    expect(s.downs.at(-1)).toEqual(['no-pong', 'no answer to a ping', 0]);
    expect(FakeWebSocket.made).toHaveLength(3);
    expect(s.frames).toEqual([{ type: 'pong' }]);
  });

  it('probe: pings an open socket now; redials a closed one at once', () => {
    const s = socket();
    s.last().open();
    s.conn.probe();
    expect(s.conn.pingsSent).toBe(1);
    vi.advanceTimersByTime(2_000);
    expect(s.downs.at(-1)?.[0]).toBe('no-pong');
    vi.advanceTimersByTime(3_000);
    s.conn.probe(); // still connecting, 3 s on: dial again now
    expect(s.downs.at(-1)?.[0]).toBe('probe');
    expect(FakeWebSocket.made).toHaveLength(3);
  });

  it('redial waits as told without touching the backoff; close ends it all; junk frames are ignored', () => {
    const s = socket();
    s.last().open();
    s.last().receive('not json');
    s.last().receive('null');
    s.conn.redial(15_000);
    expect(s.downs).toEqual([['redial', 'retrying in 15000 ms', 15_000]]);
    vi.advanceTimersByTime(14_999);
    expect(FakeWebSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.made).toHaveLength(2);
    expect(s.conn.send({ type: 'ping' })).toBe(false);
    s.conn.close();
    expect(s.last().readyState).toBe(3);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.made).toHaveLength(2);
    expect(s.frames).toEqual([]);
  });
});
