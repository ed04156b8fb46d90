import { describe, expect, it } from 'vitest';
import { DocSync } from '../../../../crdt/room/doc-sync';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import { ChannelTag } from '../../../../crdt/protocol/wire';
import type { RelayRoomChannel } from '../../../../client/src/relay-node/relay-room-channel';
import { openToLinkHolders, RelayRoomState } from '../../../../client/src/relay-node/relay-room-state';

/** A relay room channel as the state sees it: what it was asked to send, to whom. */
function channel(id: string, trusted: boolean) {
  const sent: { to: string; tag: number }[] = [];
  const ch = {
    id,
    trusted,
    peers: () => ['bob', 'carol'],
    broadcast: (tag: number) => sent.push({ to: '*', tag }),
    sendTo: (to: string, tag: number) => sent.push({ to, tag }),
  };
  return { ch: ch as unknown as RelayRoomChannel, sent };
}

function setup() {
  const room = new RoomDoc();
  const controls = { locked: false, ended: false, removed: new Set<string>() };
  let carryingChanges = 0;
  const state = new RelayRoomState(new DocSync(room.doc), () => null, () => carryingChanges++, () => openToLinkHolders(controls));
  return { room, controls, state, carryingChanges: () => carryingChanges };
}

describe('which relay carries the room state (relay-room-state.ts)', () => {
  it('the room server’s own relay always; a joined one only while anyone with the link may be in', () => {
    const s = setup();
    const own = channel('own', true);
    const joined = channel('joined', false);
    s.state.opened(own.ch);
    s.state.opened(joined.ch);
    s.room.sendChat('alice', 'hello');
    expect(own.sent.filter((m) => m.to === '*' && m.tag === ChannelTag.Yjs).length).toBeGreaterThan(0);
    expect(joined.sent.filter((m) => m.to === '*' && m.tag === ChannelTag.Yjs).length).toBeGreaterThan(0);

    s.controls.locked = true;
    s.state.refresh();
    const [ownBefore, joinedBefore] = [own.sent.length, joined.sent.length];
    s.room.sendChat('alice', 'after the lock');
    expect(own.sent.length).toBeGreaterThan(ownBefore);
    expect(joined.sent.length).toBe(joinedBefore);
    expect(s.state.carrying()).toBe(true);
  });

  it('after a removal the room state stops going through a joined relay; media-key messages (each sealed to its members) still may', () => {
    const s = setup();
    const joined = channel('joined', false);
    s.state.opened(joined.ch);
    expect(s.state.carrying()).toBe(true);
    s.controls.removed.add('mallory-key');
    s.state.refresh();
    expect(s.state.carrying()).toBe(false);
    expect(s.carryingChanges()).toBe(2); // on, then off: the page wants its peer links back
    const before = joined.sent.length;
    s.room.sendChat('alice', 'after the removal');
    expect(joined.sent.length).toBe(before);
    s.state.sendKeyMessage(null, new Uint8Array([1]));
    s.state.sendKeyMessage('bob', new Uint8Array([1]));
    s.state.sendKeyMessage('nobody-here', new Uint8Array([1]));
    expect(joined.sent.slice(before)).toEqual([
      { to: '*', tag: ChannelTag.MediaKey },
      { to: 'bob', tag: ChannelTag.MediaKey },
    ]);
  });
});
