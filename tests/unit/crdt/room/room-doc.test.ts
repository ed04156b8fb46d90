import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ChatTooLongError,
  EmptyChatError,
  MAX_CHAT_CHARS,
  MAX_CHAT_HISTORY,
  MAX_NAME_CHARS,
  RoomDoc,
} from '../../../../crdt/room/room-doc';

/** Two real Yjs docs, synced by exchanging full state (the transport is tested elsewhere). */
function syncBoth(a: RoomDoc, b: RoomDoc): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc));
}

const alice = { id: 'a', name: 'Alice', micOn: true, camOn: true };

describe('room document: participants', () => {
  it('tracks who joined, their media state and who left', () => {
    const room = new RoomDoc();
    room.join(alice, 1000);
    room.join({ id: 'b', name: 'Bob', micOn: true, camOn: false }, 2000);
    room.setMedia('a', { micOn: false });
    room.setMedia('a', { micOn: undefined, camOn: true });
    room.leave('b', 3000);
    expect(room.participant('a')).toEqual({ id: 'a', name: 'Alice', micOn: false, camOn: true, joinedAt: 1000 });
    expect(room.participant('b')?.leftAt).toBe(3000);
    expect(room.present().map((p) => p.id)).toEqual(['a']);
    expect(room.participants().map((p) => p.id)).toEqual(['a', 'b']);
    room.join({ id: 'b', name: 'Bob', micOn: true, camOn: false }, 4000);
    expect(room.participant('b')).not.toHaveProperty('leftAt');
    expect(room.present().map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('renames, clamps names, and ignores edits to unknown participants', () => {
    const room = new RoomDoc();
    room.join({ ...alice, name: 'A'.repeat(500) }, 1);
    expect(room.participant('a')!.name).toHaveLength(MAX_NAME_CHARS);
    room.setName('a', 'Alicia');
    expect(room.participant('a')!.name).toBe('Alicia');
    room.setName('ghost', 'Boo');
    room.setMedia('ghost', { micOn: true });
    room.leave('ghost');
    expect(room.participants().map((p) => p.id)).toEqual(['a']);
  });

  it('participants are in joinedAt order on every peer', () => {
    const a = new RoomDoc();
    const b = new RoomDoc();
    a.join(alice, 300);
    b.join({ id: 'b', name: 'Bob', micOn: true, camOn: true }, 100);
    b.join({ id: 'c', name: 'Carol', micOn: true, camOn: true }, 300);
    syncBoth(a, b);
    expect(a.participants().map((p) => p.id)).toEqual(['b', 'a', 'c']);
    expect(b.participants()).toEqual(a.participants());
  });
});

describe('room document: hands and reactions', () => {
  it('a raised hand keeps its time until lowered; reactions replace each other; junk reads as nothing', () => {
    const room = new RoomDoc();
    room.join({ id: 'a', name: 'Ann', micOn: true, camOn: true }, 1);
    room.setHand('a', true, 100);
    room.setHand('a', true, 200);
    expect(room.participant('a')?.handUpAt).toBe(100);
    room.setHand('a', false);
    expect(room.participant('a')?.handUpAt).toBeUndefined();
    room.react('a', '👍', 300);
    room.react('a', '🎉', 400);
    expect(room.participant('a')?.reaction).toEqual({ emoji: '🎉', at: 400 });
    room.doc.getMap('participants').set('m', { name: 'M', joinedAt: 1, handUpAt: 'soon', reaction: { emoji: '<script>', at: 5 } });
    const m = room.participant('m')!;
    expect(m.handUpAt).toBeUndefined();
    expect(m.reaction).toBeUndefined();
  });
});

describe('room document: chat', () => {
  it('carries sender name and time, in the same (sentAt, id) order on every peer', () => {
    const a = new RoomDoc();
    const b = new RoomDoc();
    a.join(alice);
    b.join({ id: 'b', name: 'Bob', micOn: true, camOn: true });
    syncBoth(a, b);
    a.sendChat('a', 'first', 100);
    b.sendChat('b', 'concurrent', 100);
    b.sendChat('b', 'second', 200);
    a.sendChat('a', 'early clock', 50);
    // Merge in opposite orders into two fresh docs: the visible order must not depend on it.
    const c = new RoomDoc();
    const d = new RoomDoc();
    Y.applyUpdate(c.doc, Y.encodeStateAsUpdate(a.doc));
    Y.applyUpdate(c.doc, Y.encodeStateAsUpdate(b.doc));
    Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(b.doc));
    Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(a.doc));
    syncBoth(a, b);
    const order = a.chat();
    expect(order.map((m) => m.sentAt)).toEqual([50, 100, 100, 200]);
    expect(order[1]!.id < order[2]!.id).toBe(true);
    for (const other of [b, c, d]) expect(other.chat()).toEqual(order);
    expect(order.map((m) => [m.name, m.text])).toContainEqual(['Alice', 'first']);
    expect(order.at(-1)).toMatchObject({ from: 'b', name: 'Bob', text: 'second', sentAt: 200 });
  });

  it('refuses empty and too-long messages, trims the rest', () => {
    const room = new RoomDoc();
    room.join(alice);
    expect(() => room.sendChat('a', '')).toThrow(EmptyChatError);
    expect(() => room.sendChat('a', ' \n\t ')).toThrow(EmptyChatError);
    expect(() => room.sendChat('a', 'x'.repeat(MAX_CHAT_CHARS + 1))).toThrow(ChatTooLongError);
    expect(room.sendChat('a', `  ${'x'.repeat(MAX_CHAT_CHARS)}  `).text).toHaveLength(MAX_CHAT_CHARS);
    expect(room.sendChat('a', '  hi  ').text).toBe('hi');
    expect(room.chat()).toHaveLength(2);
  });

  it('gives messages distinct random base64url ids', () => {
    const room = new RoomDoc();
    room.join(alice);
    const ids = Array.from({ length: 200 }, () => room.sendChat('a', 'x', 1).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  });

  it('keeps only the last MAX_CHAT_HISTORY messages, in the doc too', () => {
    const room = new RoomDoc();
    room.join(alice);
    for (let i = 0; i < MAX_CHAT_HISTORY + 25; i++) room.sendChat('a', `m${i}`, i);
    const chat = room.chat();
    expect(chat).toHaveLength(MAX_CHAT_HISTORY);
    expect(chat[0]!.text).toBe('m25');
    expect(chat.at(-1)!.text).toBe(`m${MAX_CHAT_HISTORY + 24}`);
    expect(room.doc.getArray('chat').length).toBe(MAX_CHAT_HISTORY);
  });
});

describe('room document: hostile remote data', () => {
  it('skips malformed records a peer writes straight into the Y types, without throwing', () => {
    const evil = new Y.Doc();
    const people = evil.getMap('participants');
    people.set('x', 'not an object');
    people.set('y', { name: 42, joinedAt: 1 });
    people.set('z', { name: 'Z'.repeat(10_000), joinedAt: 5, micOn: 'yes', leftAt: 'soon' });
    people.set('nan', { name: 'N', joinedAt: NaN });
    people.set('inf', { name: 'I', joinedAt: Infinity });
    people.set('arr', ['name', 1]);
    people.set('bin', new Uint8Array([1, 2, 3]));
    people.set('ymap', new Y.Map());
    people.set('nul', null);
    people.set('long-id'.repeat(100), { name: 'L', joinedAt: 1 });
    const chat = evil.getArray('chat');
    chat.push([null, 7, 'text', [1, 2], new Uint8Array(4), new Y.Array()]);
    chat.push([{ id: 'm', from: 'z', name: 'Z', text: 'ok', sentAt: 1 }]);
    chat.push([{ id: 'n', text: 'no time' }, { id: 'q', from: 'z', name: 'Z', text: 'bad time', sentAt: NaN }]);
    chat.push([{ id: '', from: 'z', name: 'Z', text: 'empty id', sentAt: 1 }]);
    chat.push([{ id: 'o', from: 'z', name: 'x' + '😀'.repeat(100), text: 'y'.repeat(50_000), sentAt: 2 }]);
    chat.push([{ id: 'm', from: 'z', name: 'Z', text: 'duplicate id', sentAt: 3 }]);
    // Another peer uses the wrong Y types under our names: invisible to the typed views.
    const confused = new Y.Doc();
    confused.getArray('participants').push([{ name: 'in an array', joinedAt: 1 }]);
    confused.getMap('chat').set('k', { id: 'k', from: 'z', name: 'Z', text: 'in a map', sentAt: 1 });

    const room = new RoomDoc();
    let changes = 0;
    room.onChange(() => changes++);
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(evil));
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(confused));
    expect(changes).toBe(2);
    expect(room.participants().map((p) => p.id)).toEqual(['z']);
    const z = room.participant('z')!;
    expect(z.name).toHaveLength(MAX_NAME_CHARS);
    expect(z.micOn).toBe(false);
    expect(z).not.toHaveProperty('leftAt');
    expect(room.present()).toEqual([z]);
    expect(room.participant('x')).toBeUndefined();
    expect(room.chat().map((m) => m.id)).toEqual(['m', 'o']);
    expect(room.chat()[0]!.text).toBe('ok');
    expect(room.chat()[1]!.text).toHaveLength(MAX_CHAT_CHARS);
    // Clamped on a character boundary: no half surrogate pair left at the end.
    expect(room.chat()[1]!.name).toBe('x' + '😀'.repeat(MAX_NAME_CHARS / 2 - 1));
    // Local edits still work on top of the garbage.
    room.join(alice, 10);
    room.sendChat('a', 'still fine', 10);
    expect(room.chat().at(-1)!.text).toBe('still fine');
  });

  it('a flood of remote messages is trimmed back by the next local sender', () => {
    const evil = new Y.Doc();
    const items = Array.from({ length: MAX_CHAT_HISTORY * 3 }, (_, i) => ({ id: `e${i}`, from: 'e', name: 'E', text: 'spam', sentAt: i }));
    evil.getArray('chat').push(items);
    const room = new RoomDoc();
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(evil));
    expect(room.chat()).toHaveLength(MAX_CHAT_HISTORY);
    room.join(alice);
    room.sendChat('a', 'mine', MAX_CHAT_HISTORY * 3);
    expect(room.doc.getArray('chat').length).toBe(MAX_CHAT_HISTORY);
    expect(room.chat().at(-1)!.text).toBe('mine');
  });

  it('junk in the chat array never pushes real messages out: the next sender trims it first', () => {
    const room = new RoomDoc();
    room.join(alice);
    const real = Array.from({ length: 10 }, (_, i) => room.sendChat('a', `real ${i}`, i));
    const evil = new Y.Doc();
    Y.applyUpdate(evil, Y.encodeStateAsUpdate(room.doc));
    const copy = { ...real[0]! };
    evil.getArray('chat').push([...Array.from({ length: MAX_CHAT_HISTORY * 2 }, (_, i) => (i % 2 ? i : { id: i })), copy, copy]);
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(evil));
    room.sendChat('a', 'after the junk', 100);
    expect(room.chat().map((m) => m.text)).toEqual([...real.map((m) => m.text), 'after the junk']);
    expect(room.doc.getArray('chat').length).toBe(11);
  });
});

describe('room document: onChange', () => {
  it('fires for local and remote changes, once per transaction, and stops after unsubscribe', () => {
    const a = new RoomDoc();
    const b = new RoomDoc();
    let local = 0;
    let remote = 0;
    a.onChange(() => local++);
    const off = b.onChange(() => remote++);
    a.join(alice);
    expect(local).toBe(1);
    syncBoth(a, b);
    expect(remote).toBe(1);
    for (let i = 0; i < MAX_CHAT_HISTORY + 1; i++) a.sendChat('a', `m${i}`, i);
    local = 0;
    a.sendChat('a', 'push and trim in one transaction');
    expect(local).toBe(1);
    syncBoth(a, b);
    expect(remote).toBe(2);
    expect(b.chat()).toEqual(a.chat());
    b.doc.getMap('unrelated').set('k', 1);
    expect(remote).toBe(2);
    off();
    a.sendChat('a', 'hello');
    syncBoth(a, b);
    expect(remote).toBe(2);
  });
});

describe('room document: relay choice', () => {
  it('records which relay carries the media, clears it for a mesh, and reads junk as none', () => {
    const a = new RoomDoc();
    expect(a.relayChoice()).toBeNull();
    a.setRelayChoice('wss://host/relay', 1_000);
    expect(a.relayChoice()).toEqual({ relay: 'wss://host/relay', at: 1_000 });
    a.setRelayChoice('wss://host/relay', 2_000); // unchanged: not rewritten
    expect(a.relayChoice()?.at).toBe(1_000);
    a.setRelayChoice(null);
    expect(a.relayChoice()).toBeNull();
    a.doc.getMap('topology').set('relay', { relay: 42, at: 'soon' });
    expect(a.relayChoice()).toBeNull();
  });
});
