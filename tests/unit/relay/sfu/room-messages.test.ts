import { describe, expect, it } from 'vitest';
import { decodeRoomFrame, encodeRoomFrame, MAX_ROOM_FRAME_BYTES, RoomMessageKind } from '../../../../crdt/protocol/room-message-frame';
import { MAX_RECEIVER_BACKLOG_BYTES, ROOM_MESSAGE_BURST_BYTES, RoomMessageHub } from '../../../../relay/sfu/room-messages';
import { ForwardingStats } from '../../../../relay/sfu/stats';

/** A participant's end of the hub: what it received, decoded, and whether it was dropped. */
function member(hub: RoomMessageHub, peer: string) {
  const m = {
    got: [] as { kind: number; from: string; text: string }[],
    /** Presence frames: '+id' joined, '-id' left. */
    presence: [] as string[],
    beats: 0,
    backlog: 0,
    dropped: '',
    send: (_frame: Uint8Array) => {},
  };
  m.send = hub.join(
    peer,
    {
      send: (frame) => {
        const f = decodeRoomFrame(frame)!;
        if (f.kind === RoomMessageKind.Presence) return void m.presence.push(`${f.piece[0] === 1 ? '+' : '-'}${f.peer}`);
        if (f.kind === RoomMessageKind.Beat) return void m.beats++;
        m.got.push({ kind: f.kind, from: f.peer, text: new TextDecoder().decode(f.piece) });
      },
      bufferedAmount: () => m.backlog,
    },
    (reason) => (m.dropped = reason),
  );
  return m;
}
const text = (s: string) => new TextEncoder().encode(s);

describe('room message hub (the relay star for room state)', () => {
  it('a broadcast reaches everyone else, stamped with the sender; a direct frame reaches one peer', () => {
    const stats = new ForwardingStats();
    const hub = new RoomMessageHub(stats);
    const [a, b, c] = ['alice', 'bob', 'carol'].map((p) => member(hub, p));
    a!.send(encodeRoomFrame(RoomMessageKind.Broadcast, '', text('hello all')));
    expect(a!.got).toEqual([]);
    expect(b!.got).toEqual([{ kind: RoomMessageKind.Broadcast, from: 'alice', text: 'hello all' }]);
    expect(c!.got).toEqual([{ kind: RoomMessageKind.Broadcast, from: 'alice', text: 'hello all' }]);
    b!.send(encodeRoomFrame(RoomMessageKind.Direct, 'carol', text('just you')));
    expect(c!.got[1]).toEqual({ kind: RoomMessageKind.Direct, from: 'bob', text: 'just you' });
    expect(a!.got).toEqual([]);
    // Three messages, and three presence frames to those already there as bob and carol came.
    expect(stats.roomFramesOut).toBe(6);
  });

  it('tells a newcomer who is here, oldest first, and everyone who comes and goes', () => {
    const hub = new RoomMessageHub(new ForwardingStats());
    const a = member(hub, 'alice');
    const b = member(hub, 'bob');
    const c = member(hub, 'carol');
    expect(c.presence).toEqual(['+alice', '+bob']);
    expect(a.presence).toEqual(['+bob', '+carol']);
    hub.leave('bob', { send: () => {}, bufferedAmount: () => 0 }); // not bob's channel: ignored
    expect(a.presence).toEqual(['+bob', '+carol']);
    b.send(encodeRoomFrame(RoomMessageKind.Presence, '', new Uint8Array([1])));
    expect(a.presence).toEqual(['+bob', '+carol']);
    expect(c.presence).toEqual(['+alice', '+bob']);
  });

  it('beats reach every member; a member cannot send one', () => {
    const stats = new ForwardingStats();
    const hub = new RoomMessageHub(stats);
    const [a, b] = ['alice', 'bob'].map((p) => member(hub, p));
    hub.beat();
    hub.beat();
    expect([a!.beats, b!.beats]).toEqual([2, 2]);
    a!.send(encodeRoomFrame(RoomMessageKind.Beat, '', new Uint8Array(0)));
    expect(b!.beats).toBe(2);
    expect(stats.roomFramesMalformed).toBe(1);
  });

  it('a sender cannot pose as another peer: the relay writes the proven sender id', () => {
    const hub = new RoomMessageHub(new ForwardingStats());
    const [mallory, bob] = ['mallory', 'bob'].map((p) => member(hub, p));
    // A broadcast with a peer id in its header is malformed (only direct frames name one).
    mallory!.send(encodeRoomFrame(RoomMessageKind.Broadcast, 'alice', text('spoof')));
    mallory!.send(encodeRoomFrame(RoomMessageKind.Direct, 'bob', text('direct')));
    expect(bob!.got).toEqual([{ kind: RoomMessageKind.Direct, from: 'mallory', text: 'direct' }]);
  });

  it('drops malformed frames, counts them, and keeps serving honest peers', () => {
    const stats = new ForwardingStats();
    const hub = new RoomMessageHub(stats);
    const [eve, bob] = ['eve', 'bob'].map((p) => member(hub, p));
    const bad = [
      new Uint8Array([]),
      new Uint8Array([7, 0, 1]),
      new Uint8Array([RoomMessageKind.Direct, 200, 1, 2]),
      new Uint8Array([RoomMessageKind.Direct, 0, 1]),
      new Uint8Array(MAX_ROOM_FRAME_BYTES + 1),
    ];
    for (const frame of bad) eve!.send(frame);
    expect(stats.roomFramesMalformed).toBe(bad.length);
    expect(bob!.got).toEqual([]);
    eve!.send(encodeRoomFrame(RoomMessageKind.Direct, 'nobody-here', text('lost')));
    eve!.send(encodeRoomFrame(RoomMessageKind.Broadcast, '', text('ok')));
    expect(bob!.got.map((g) => g.text)).toEqual(['ok']);
    expect(eve!.dropped).toBe('');
  });

  it('drops a sender past its byte budget, and a receiver that does not keep up', () => {
    let now = 0;
    const hub = new RoomMessageHub(new ForwardingStats(), () => now);
    const [flood, slow, fine] = ['flood', 'slow', 'fine'].map((p) => member(hub, p));
    const piece = new Uint8Array(16 * 1024);
    const frames = Math.ceil(ROOM_MESSAGE_BURST_BYTES / piece.length) + 1;
    for (let i = 0; i < frames && !flood!.dropped; i++) flood!.send(encodeRoomFrame(RoomMessageKind.Direct, 'fine', piece));
    expect(flood!.dropped).toBe('too much room traffic');
    now += 1_000;

    slow!.backlog = MAX_RECEIVER_BACKLOG_BYTES + 1;
    fine!.send(encodeRoomFrame(RoomMessageKind.Broadcast, '', text('to all')));
    expect(slow!.dropped).toBe('not keeping up with the room');
    expect(slow!.got).toEqual([]);
    // Gone from the hub: nothing more is queued for it.
    fine!.send(encodeRoomFrame(RoomMessageKind.Direct, 'slow', text('again')));
    expect(slow!.got).toEqual([]);
  });
});
