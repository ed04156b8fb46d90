import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ChatTooLongError, MAX_CHAT_CHARS, MAX_CHAT_HISTORY, MAX_NAME_CHARS, RoomDoc } from '../../crdt/room-doc';

/** Two real Yjs docs, synced by exchanging full state (the transport is tested elsewhere). */
function syncBoth(a: RoomDoc, b: RoomDoc): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc));
}

describe('room document', () => {
  it('tracks who joined, their media state and who left', () => {
    const room = new RoomDoc();
    room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true }, 1000);
    room.join({ id: 'b', name: 'Bob', micOn: true, camOn: false }, 2000);
    room.setMedia('a', { micOn: false });
    room.leave('b', 3000);
    expect(room.participant('a')).toEqual({ id: 'a', name: 'Alice', micOn: false, camOn: true, joinedAt: 1000 });
    expect(room.present().map((p) => p.id)).toEqual(['a']);
    expect(room.participants().map((p) => p.id)).toEqual(['a', 'b']);
    room.join({ id: 'b', name: 'Bob', micOn: true, camOn: false }, 4000);
    expect(room.present().map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('chat carries sender name and time, in the same order on every peer', () => {
    const a = new RoomDoc();
    const b = new RoomDoc();
    a.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    b.join({ id: 'b', name: 'Bob', micOn: true, camOn: true });
    syncBoth(a, b);
    a.sendChat('a', 'first', 100);
    b.sendChat('b', 'concurrent', 100);
    b.sendChat('b', 'second', 200);
    syncBoth(a, b);
    expect(a.chat()).toEqual(b.chat());
    expect(a.chat().map((m) => [m.name, m.text])).toContainEqual(['Alice', 'first']);
    expect(a.chat().at(-1)).toMatchObject({ name: 'Bob', text: 'second', sentAt: 200 });
  });

  it('refuses empty and too-long messages, trims the rest', () => {
    const room = new RoomDoc();
    room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    expect(() => room.sendChat('a', '   ')).toThrow();
    expect(() => room.sendChat('a', 'x'.repeat(MAX_CHAT_CHARS + 1))).toThrow(ChatTooLongError);
    expect(room.sendChat('a', '  hi  ').text).toBe('hi');
    expect(room.chat()).toHaveLength(1);
  });

  it('keeps only the last MAX_CHAT_HISTORY messages', () => {
    const room = new RoomDoc();
    room.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    for (let i = 0; i < MAX_CHAT_HISTORY + 25; i++) room.sendChat('a', `m${i}`, i);
    const chat = room.chat();
    expect(chat).toHaveLength(MAX_CHAT_HISTORY);
    expect(chat[0]!.text).toBe('m25');
    expect(room.doc.getArray('chat').length).toBe(MAX_CHAT_HISTORY);
  });

  it('skips malformed records a hostile peer writes, without throwing', () => {
    const evil = new Y.Doc();
    const people = evil.getMap('participants');
    people.set('x', 'not an object');
    people.set('y', { name: 42, joinedAt: 1 });
    people.set('z', { name: 'Z'.repeat(10_000), joinedAt: 5, micOn: 'yes' });
    const chat = evil.getArray('chat');
    chat.push([null, 7, { id: 'm', from: 'z', name: 'Z', text: 'ok', sentAt: 1 }, { id: 'n', text: 'no time' }]);
    chat.push([{ id: 'o', from: 'z', name: 'Z', text: 'y'.repeat(50_000), sentAt: 2 }]);
    const room = new RoomDoc();
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(evil));
    expect(room.participants().map((p) => p.id)).toEqual(['z']);
    expect(room.participant('z')!.name).toHaveLength(MAX_NAME_CHARS);
    expect(room.participant('z')!.micOn).toBe(false);
    expect(room.chat().map((m) => m.id)).toEqual(['m', 'o']);
    expect(room.chat()[1]!.text).toHaveLength(MAX_CHAT_CHARS);
  });

  it('onChange fires for remote changes and stops after unsubscribe', () => {
    const a = new RoomDoc();
    const b = new RoomDoc();
    let calls = 0;
    const off = b.onChange(() => calls++);
    a.join({ id: 'a', name: 'Alice', micOn: true, camOn: true });
    syncBoth(a, b);
    expect(calls).toBeGreaterThan(0);
    const seen = calls;
    off();
    a.sendChat('a', 'hello');
    syncBoth(a, b);
    expect(calls).toBe(seen);
  });
});
