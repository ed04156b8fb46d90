import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { frameMessage } from '../../crdt/protocol/channel-framing';
import type { ControlRecord } from '../../crdt/room/control-records';
import { RoomDoc } from '../../crdt/room/room-doc';
import { ChannelTag } from '../../crdt/protocol/wire';

/**
 * Seeded generators of hostile data-channel frames for the room model: what a peer holding
 * the link (or a broken one) could send on its data channel. Each call makes one message
 * (one or more frames) of a named family.
 */
export const FAMILIES = [
  'random frame',
  'random sync bytes',
  'truncated update',
  'bit-flipped update',
  'huge length',
  'bad chunking',
  'wrong types in chat/participants',
  'root type confusion',
  'bad control records',
  'odd sync step 1',
  'update with a gap',
] as const;
export type Family = (typeof FAMILIES)[number];
const WEIGHTS: Record<Family, number> = {
  'random frame': 8,
  'random sync bytes': 8,
  'truncated update': 10,
  'bit-flipped update': 10,
  'huge length': 7,
  'bad chunking': 4,
  'wrong types in chat/participants': 22,
  'root type confusion': 3,
  'bad control records': 23,
  'odd sync step 1': 5,
  'update with a gap': 5,
};

export interface RecordPools {
  roomId: string;
  hostKey: string;
  /** Genuine records of this room (for replays and tampering). */
  genuine: () => ControlRecord[];
  /** Validly signed by a stranger: wrong authority, future Lamport times, self-promotion. */
  stranger: ControlRecord[];
  /** Genuine records of another room. */
  foreign: ControlRecord[];
}

export function syncMessage(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  write(e);
  return encoding.toUint8Array(e);
}
const updateMessage = (update: Uint8Array) => syncMessage((e) => syncProtocol.writeUpdate(e, update));

export class HostileGenerator {
  readonly counts = new Map<Family, number>();
  /** Bytes of every frame made, to bound what the victim may have kept. */
  bytes = 0;
  /** Real messages of another room (state, updates): the base of truncations and bit flips. */
  private readonly valid: Uint8Array[] = [];
  /**
   * A member writing wrong shapes into the shared types. Its document holds only its own
   * entries (appended to the roots), so it never touches anyone else's.
   */
  private readonly evil = new Y.Doc();
  /** A member whose document declares the room's roots as the wrong kinds of type. */
  private readonly confused = new Y.Doc();
  private hugeNames = 0;
  /** The evil member's updates since its last intact message. */
  private unsent: Uint8Array[] = [];

  constructor(
    private readonly rand: () => number,
    private readonly pools: RecordPools,
    /** The victim's document: what it lacks of the evil member's updates is sent again. */
    private readonly victim: Y.Doc,
  ) {
    this.evil.on('update', (u: Uint8Array) => this.unsent.push(u));
    const src = new RoomDoc();
    src.join({ id: 'xavier', name: 'Xavier', micOn: true, camOn: false }, 1);
    let sv = Y.encodeStateVector(src.doc);
    for (let i = 0; i < 12; i++) {
      src.sendChat('xavier', `real ${i}`, i);
      if (i % 3 === 0) src.setMedia('xavier', { camOn: i % 2 === 0 });
      this.valid.push(updateMessage(Y.encodeStateAsUpdate(src.doc, sv)));
      sv = Y.encodeStateVector(src.doc);
    }
    this.valid.push(syncMessage((e) => syncProtocol.writeSyncStep2(e, src.doc, new Uint8Array([0]))));
    this.valid.push(syncMessage((e) => syncProtocol.writeSyncStep1(e, src.doc)));
  }

  next(): { family: Family; frames: Uint8Array[] } {
    let r = this.rand() * Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
    const family = FAMILIES.find((f) => (r -= WEIGHTS[f]) < 0) ?? 'random frame';
    this.counts.set(family, (this.counts.get(family) ?? 0) + 1);
    const frames = this.make(family);
    for (const f of frames) this.bytes += f.length;
    return { family, frames };
  }

  private make(family: Family): Uint8Array[] {
    const yjs = (bytes: Uint8Array) => frameMessage(ChannelTag.Yjs, bytes);
    switch (family) {
      case 'random frame':
        return [this.junk(1 + this.int(300))];
      case 'random sync bytes':
        return yjs(this.junk(1 + this.int(300)));
      case 'truncated update': {
        const m = this.pick(this.valid);
        return yjs(m.subarray(0, this.int(m.length)));
      }
      case 'bit-flipped update': {
        const m = this.pick(this.valid).slice();
        for (let f = 1 + this.int(4); f > 0; f--) m[this.int(m.length)]! ^= 1 << this.int(8);
        return yjs(m);
      }
      case 'huge length':
        return yjs(this.hugeLength());
      case 'bad chunking':
        return this.badChunks();
      case 'wrong types in chat/participants':
        return yjs(this.evilEdit(() => this.wrongTypes()));
      case 'root type confusion':
        return yjs(this.confusedEdit());
      case 'bad control records':
        return yjs(this.evilEdit(() => this.evil.getArray('controls').push(Array.from({ length: 1 + this.int(3) }, () => this.badRecord()))));
      case 'odd sync step 1':
        return yjs(this.oddStep1());
      case 'update with a gap':
        return yjs(this.gapped());
    }
  }

  /**
   * An update of the evil document since its last intact one: now and then mangled, and then
   * the next one carries the lost part again (as a peer's next sync would).
   */
  private evilEdit(edit: () => void): Uint8Array {
    // Its own frames may have broken its stream (bad chunking, a truncation): then it sends
    // what the victim lacks again, as a peer's next sync would.
    if (Y.getState(this.victim.store, this.evil.clientID) < Y.getState(this.evil.store, this.evil.clientID)) {
      this.unsent = [Y.encodeStateAsUpdate(this.evil, Y.encodeStateVector(this.victim))];
    }
    this.evil.transact(edit);
    const update = updateMessage(Y.mergeUpdates(this.unsent));
    if (this.rand() < 0.01) return update.subarray(0, this.int(update.length));
    this.unsent = [];
    return update;
  }

  /** An update that depends on one never sent: the victim can only keep it pending. */
  private gapped(): Uint8Array {
    const doc = new Y.Doc();
    doc.getArray('chat').push(['never sent']);
    const sv = Y.encodeStateVector(doc);
    doc.getArray('chat').push([{ id: `g${this.int(1e9)}`, from: 'gap', name: 'Gap', text: 'w'.repeat(this.int(3_000)), sentAt: 1 }]);
    if (this.rand() < 0.3) doc.getArray('chat').delete(0, 1);
    return updateMessage(Y.encodeStateAsUpdate(doc, sv));
  }

  private wrongTypes(): void {
    const chat = this.evil.getArray<unknown>('chat');
    const people = this.evil.getMap<unknown>('participants');
    for (let n = 1 + this.int(3); n > 0; n--) {
      if (this.rand() < 0.6) chat.push([this.oddValue({ id: `e${this.int(1e9)}`, from: 'alice', name: 'Eve', text: 'hi', sentAt: this.int(1e6) })]);
      else people.set(this.oddKey(), this.oddValue({ id: 'x', name: 'Eve', micOn: true, camOn: true, joinedAt: this.int(1e6) }));
    }
    if (this.rand() < 0.1 && chat.length > 0) chat.delete(chat.length - 1, 1);
  }

  /** Keys never name an honest peer: overwriting someone's record is any member's right in Yjs, not malformed input. */
  private oddKey(): string {
    return this.pick([`evil-${this.int(1e6)}`, '__proto__', 'constructor', 'hasOwnProperty', '', 'k'.repeat(10_000), `evil-${this.int(20)}`]);
  }

  /** A value that is wrong for a chat message or participant, or right in shape but extreme. */
  private oddValue(good: Record<string, unknown>): unknown {
    const field = this.pick(Object.keys(good));
    switch (this.int(12)) {
      case 0:
        return this.pick([0, -1, 1e308, 'text', '', null, true, false]);
      case 1:
        return [good, good];
      case 2:
        return { ...good, [field]: this.pick([null, 5, {}, [], 'x'.repeat(20_000), -Infinity, NaN, true]) };
      case 3: {
        const { [field]: _, ...rest } = good;
        return rest;
      }
      case 4:
        return new Y.Map(Object.entries(good));
      case 5:
        return this.pick([new Y.Text('hello'), new Y.Array(), new Y.XmlFragment()]);
      case 6:
        return new Uint8Array(this.int(2_000));
      case 7: {
        let deep: unknown = good;
        for (let d = 0; d < 500; d++) deep = { deep };
        return deep;
      }
      case 8: // a name of a megabyte, a few times per run (they stay in the document)
        return this.hugeNames++ < 2 ? { ...good, name: 'N'.repeat(1 << 20) } : good;
      case 9:
        return { ...good, text: 'x'.repeat(5_000 + this.int(15_000)), name: 'n'.repeat(5_000) };
      case 10:
        return { ...good, reaction: this.pick([{ emoji: '💣', at: 1 }, { emoji: '👍', at: 'now' }, 'boom', null]), handUpAt: 'up', leftAt: {} };
      default:
        return { ...good, id: this.pick([5, '', 'i'.repeat(10_000)]), sentAt: this.pick(['1', null, Infinity]) };
    }
  }

  /** Roots of the room under their names, but as other kinds of type: Yjs must keep the real ones intact. */
  private confusedEdit(): Uint8Array {
    const before = Y.encodeStateVector(this.confused);
    this.confused.transact(() => {
      this.confused.getMap('chat').set(`k${this.int(100)}`, { id: 'c', from: 'x', name: 'x', text: 'map, not array', sentAt: 1 });
      this.confused.getText('controls').insert(0, 'text, not array');
      this.confused.getArray('participants').push([{ name: 'array, not map', joinedAt: 1 }]);
    });
    return updateMessage(Y.encodeStateAsUpdate(this.confused, before));
  }

  private badRecord(): unknown {
    const { roomId, hostKey } = this.pools;
    const genuine = this.pools.genuine();
    const g = genuine.length > 0 ? this.pick(genuine) : this.pick(this.pools.stranger);
    switch (this.int(14)) {
      case 0: // replay
        return { ...g };
      case 1: // replay with extra baggage
        return { ...g, note: 'x'.repeat(this.int(5_000)) };
      case 2: // tampered: the signature no longer covers it
        return { ...g, kind: this.pick(['lock', 'unlock', 'end', 'remove']), target: g.target };
      case 3:
        return { ...g, seq: this.pick([g.seq + 1, Number.MAX_SAFE_INTEGER, 1e15]) };
      case 4:
        return { ...g, target: this.pick([null, 'someone', 't'.repeat(129), 5]), at: this.pick([Infinity, NaN, -1, '2026']) };
      case 5: // signed by a stranger, valid signature, no authority (incl. future Lamport times)
        return this.pick(this.pools.stranger);
      case 6:
        return this.pick(this.pools.foreign);
      case 7:
        return { ...g, room: this.pick([`${roomId}x`, '', 5]) };
      case 8:
        return { ...g, kind: this.pick(['explode', 'LOCK', '', 7, null, '__proto__']) };
      case 9:
        return { ...g, v: this.pick([2, '1', 0, null]) };
      case 10:
        return { ...g, sig: this.pick([this.b64(64), '', 'x'.repeat(10_000), 7, null]) };
      case 11: // the host's key with garbage in the signature or key
        return { ...g, by: this.pick([hostKey, '!!not base64!!', 'A'.repeat(128), 'b'.repeat(500)]), sig: this.b64(64) };
      case 12:
        return this.oddValue({ ...g });
      default:
        return this.pick([null, 0, 'lock', [], {}, new Y.Map([['v', 1]])]);
    }
  }

  private hugeLength(): Uint8Array {
    const huge = this.pick([2 ** 31, 2 ** 32 - 1, 2 ** 40, Number.MAX_SAFE_INTEGER]);
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    switch (this.int(6)) {
      case 0: // an update whose byte length runs past the end
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint(e, huge);
        break;
      case 1: // a state vector of a billion clients
        encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1);
        encoding.writeVarUint8Array(e, this.encode((u) => encoding.writeVarUint(u, huge)));
        break;
      case 2: // one client with a billion structs
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint8Array(e, this.encode((u) => [1, huge, this.int(1e9), 0].forEach((n) => encoding.writeVarUint(u, n))));
        break;
      case 3: // a garbage-collected range of huge length (well formed: Yjs may keep it)
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint8Array(
          e,
          this.encode((u) => {
            [1, 1, 1e6 + this.int(1e9), 0].forEach((n) => encoding.writeVarUint(u, n));
            encoding.writeUint8(u, this.pick([0, 10])); // GC or Skip
            encoding.writeVarUint(u, huge);
            encoding.writeVarUint(u, 0); // empty delete set
          }),
        );
        break;
      case 4: // a string item claiming a huge length, into the chat
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint8Array(
          e,
          this.encode((u) => {
            [1, 1, 1e6 + this.int(1e9), 0].forEach((n) => encoding.writeVarUint(u, n));
            encoding.writeUint8(u, 4);
            encoding.writeVarUint(u, 1);
            encoding.writeVarString(u, 'chat');
            encoding.writeVarUint(u, huge);
            encoding.writeUint8Array(u, this.junk(8));
          }),
        );
        break;
      default: // a delete set of huge ranges for a stranger client
        encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
        encoding.writeVarUint8Array(e, this.encode((u) => [0, 1, 1e6 + this.int(1e9), 1, 0, huge].forEach((n) => encoding.writeVarUint(u, n))));
    }
    return encoding.toUint8Array(e);
  }

  private oddStep1(): Uint8Array {
    const sv = this.pick([new Uint8Array(0), this.junk(1 + this.int(40)), this.encode((u) => [3, 1, 2 ** 50, 2, 0, 3, 7].forEach((n) => encoding.writeVarUint(u, n)))]);
    return syncMessage((e) => {
      encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1);
      encoding.writeVarUint8Array(e, sv);
    });
  }

  private badChunks(): Uint8Array[] {
    const chunk = (tag: number, more: number, body: Uint8Array) => Uint8Array.of(ChannelTag.Chunk, tag, more, ...body);
    switch (this.int(4)) {
      case 0: // pieces that never finish, then a new message cuts in
        return [...Array.from({ length: 1 + this.int(20) }, () => chunk(ChannelTag.Yjs, 1, this.junk(1 + this.int(2000)))), ...this.pickFrames()];
      case 1: // runt chunk frames
        return [Uint8Array.of(ChannelTag.Chunk), Uint8Array.of(ChannelTag.Chunk, ChannelTag.Yjs)];
      case 2: // pieces of a message of an unknown tag, and an unknown tag alone
        return [chunk(77, 1, this.junk(100)), chunk(77, 0, this.junk(100)), Uint8Array.of(200, 1, 2, 3)];
      default: // tags switching mid-message
        return [chunk(ChannelTag.Yjs, 1, this.junk(50)), chunk(ChannelTag.Bye, 1, this.junk(50)), chunk(ChannelTag.Yjs, 0, this.junk(50))];
    }
  }

  private pickFrames(): Uint8Array[] {
    return frameMessage(ChannelTag.Yjs, this.pick(this.valid));
  }

  private encode(write: (e: encoding.Encoder) => void): Uint8Array {
    const e = encoding.createEncoder();
    write(e);
    return encoding.toUint8Array(e);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  private junk(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }

  private b64(n: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    return Array.from({ length: n }, () => alphabet[this.int(64)]).join('');
  }
}
