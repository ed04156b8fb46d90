import { describe, expect, it } from 'vitest';
import { DocSync } from '../../../../crdt/room/doc-sync';
import { RoomDoc } from '../../../../crdt/room/room-doc';
import { ChannelTag } from '../../../../crdt/protocol/wire';
import { MediaKeyring } from '../../../../client/src/media/e2ee/media-keyring';
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
  const keyring = new MediaKeyring(new Uint8Array(16), { install: () => {}, setTimer: () => {} });
  let carryingChanges = 0;
  const state = new RelayRoomState(new DocSync(room.doc), () => keyring, () => carryingChanges++, () => openToLinkHolders(controls));
  return { room, controls, keyring, state, carryingChanges: () => carryingChanges };
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

  it('after a removal a new media key never goes through a joined relay, and room state on it stops', () => {
    const s = setup();
    const joined = channel('joined', false);
    s.state.opened(joined.ch);
    expect(s.state.carrying()).toBe(true);
    s.controls.removed.add('mallory-key');
    s.state.refresh();
    expect(s.state.carrying()).toBe(false);
    expect(s.carryingChanges()).toBe(2); // on, then off: the page wants its peer links back
    s.state.sendMediaKey(s.keyring.rotate(), 'mallory');
    s.state.peers(joined.ch, ['bob', 'carol', 'mallory-relay-friend'], 'mallory-relay-friend');
    expect(joined.sent.filter((m) => m.tag === ChannelTag.MediaKey)).toEqual([]);
  });

  it('a trusted relay hands the new key to everyone present but the removed person', () => {
    const s = setup();
    const own = channel('own', true);
    s.state.opened(own.ch);
    s.controls.removed.add('carol-key');
    s.state.refresh();
    s.state.sendMediaKey(s.keyring.rotate(), 'carol');
    expect(own.sent.filter((m) => m.tag === ChannelTag.MediaKey).map((m) => m.to)).toEqual(['bob']);
  });
});
