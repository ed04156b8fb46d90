import * as Y from 'yjs';
import { randomId } from '../protocol/base64url';
import {
  MAX_CHAT_CHARS,
  MAX_CHAT_HISTORY,
  MAX_NAME_CHARS,
  byJoinedAt,
  bySentAt,
  clamp,
  MAX_RELAY_URL_CHARS,
  readChat,
  readParticipant,
  readRelayChoice,
  type ChatMessage,
  type Participant,
  type Reaction,
  type RelayChoice,
} from './room-schema';

export { MAX_CHAT_CHARS, MAX_CHAT_HISTORY, MAX_NAME_CHARS, REACTIONS, type ChatMessage, type Participant, type Reaction } from './room-schema';

export class ChatTooLongError extends Error {
  override readonly name = 'ChatTooLongError';
  constructor(readonly length: number) {
    super(`chat message of ${length} characters is over the ${MAX_CHAT_CHARS}-character limit`);
  }
}

export class EmptyChatError extends Error {
  override readonly name = 'EmptyChatError';
  constructor() {
    super('chat message is empty');
  }
}

/**
 * The room's shared state on one Y.Doc.
 *
 * Participants: a Y.Map of plain objects keyed by peer id. Each peer writes only its own
 * record, and always whole, so last-writer-wins per record is the right merge; nested Y.Maps
 * would merge per field for no gain, cost more per record, and a hostile peer could replace
 * them with anything anyway, so every read goes through the validators either way.
 *
 * Chat: a Y.Array of plain objects, shown in (sentAt, id) order so every peer agrees.
 */
export class RoomDoc {
  readonly doc: Y.Doc;
  private readonly people: Y.Map<unknown>;
  private readonly messages: Y.Array<unknown>;
  /** Signed control records (crdt/room/control-records.ts), verified by every reader. */
  private readonly controls: Y.Array<unknown>;
  /** `relay`: the relay choice (RelayChoice), or null while the room is a mesh. */
  private readonly topology: Y.Map<unknown>;

  constructor(doc: Y.Doc = new Y.Doc()) {
    this.doc = doc;
    this.people = doc.getMap('participants');
    this.messages = doc.getArray('chat');
    this.controls = doc.getArray('controls');
    this.topology = doc.getMap('topology');
  }

  /**
   * Records which relay node carries the room's media (null: back to a mesh). Every peer
   * that switches writes it; they agree, so last-writer-wins is fine, and an unchanged choice
   * is not rewritten.
   */
  setRelayChoice(relay: string | null, now = Date.now()): void {
    if (relay !== null && relay.length > MAX_RELAY_URL_CHARS) return;
    if ((this.relayChoice()?.relay ?? null) === relay) return;
    this.topology.set('relay', relay === null ? null : ({ relay, at: now } satisfies RelayChoice));
  }

  relayChoice(): RelayChoice | null {
    return readRelayChoice(this.topology.get('relay'));
  }

  /** Appends records not already present (same signature), in one transaction. */
  addControls(records: readonly { sig: string }[]): void {
    const known = new Set(this.controlValues().map((v) => (v as { sig?: unknown } | null)?.sig));
    const fresh = records.filter((r) => !known.has(r.sig) && known.add(r.sig));
    if (fresh.length > 0) this.controls.push(fresh);
  }

  /**
   * Raw values, unverified: fold them with foldControls. All of them: a window (the first N)
   * would let a member flood the array until the host's next decision fell outside it.
   * Folding turns away records of signers without authority before any signature check.
   */
  controlValues(): unknown[] {
    return this.controls.toArray();
  }

  onControlsChange(cb: () => void): () => void {
    const handler = () => cb();
    this.controls.observe(handler);
    return () => this.controls.unobserve(handler);
  }

  /** Upserts the caller's own record; a rejoin clears leftAt and counts as a new join. */
  join(p: { id: string; name: string; micOn: boolean; camOn: boolean }, now = Date.now()): void {
    const record: Participant = {
      id: p.id,
      name: clamp(p.name, MAX_NAME_CHARS),
      micOn: p.micOn,
      camOn: p.camOn,
      joinedAt: now,
    };
    this.people.set(p.id, record);
  }

  setMedia(id: string, media: { micOn?: boolean; camOn?: boolean; screenOn?: boolean }): void {
    const patch: Partial<Participant> = {};
    if (media.micOn !== undefined) patch.micOn = media.micOn;
    if (media.camOn !== undefined) patch.camOn = media.camOn;
    if (media.screenOn !== undefined) patch.screenOn = media.screenOn;
    this.update(id, patch);
  }

  /** Raises or lowers the caller's hand. */
  setHand(id: string, up: boolean, now = Date.now()): void {
    const current = this.participant(id);
    if (!current) return;
    const { handUpAt: _, ...rest } = current;
    this.people.set(id, up ? { ...rest, handUpAt: current.handUpAt ?? now } : rest);
  }

  react(id: string, emoji: Reaction, now = Date.now()): void {
    this.update(id, { reaction: { emoji, at: now } });
  }

  setName(id: string, name: string): void {
    this.update(id, { name: clamp(name, MAX_NAME_CHARS) });
  }

  leave(id: string, now = Date.now()): void {
    this.update(id, { leftAt: now });
  }

  participant(id: string): Participant | undefined {
    return readParticipant(id, this.people.get(id)) ?? undefined;
  }

  participants(): Participant[] {
    const out: Participant[] = [];
    this.people.forEach((v, id) => {
      const p = readParticipant(id, v);
      if (p) out.push(p);
    });
    return out.sort(byJoinedAt);
  }

  present(): Participant[] {
    return this.participants().filter((p) => p.leftAt === undefined);
  }

  /** Throws EmptyChatError or ChatTooLongError (after trimming). */
  sendChat(from: string, text: string, now = Date.now()): ChatMessage {
    const body = text.trim();
    if (body.length === 0) throw new EmptyChatError();
    if (body.length > MAX_CHAT_CHARS) throw new ChatTooLongError(body.length);
    const name = this.participant(from)?.name ?? 'Someone';
    const message: ChatMessage = { id: randomId(), from, name, text: body, sentAt: now };
    this.doc.transact(() => {
      this.messages.push([message]);
      this.trimChat();
    });
    return message;
  }

  /**
   * Keeps the array at MAX_CHAT_HISTORY entries. Entries that are not chat messages (or repeat
   * an id) go first, so a member's garbage cannot push real messages out; then the oldest by
   * array position. Concurrent senders may each trim, which only trims more.
   */
  private trimChat(isJunk?: (v: unknown) => boolean): void {
    if (this.messages.length <= MAX_CHAT_HISTORY) return;
    const values = this.messages.toArray();
    const seen = new Set<string>();
    const junk = values.map((v) => {
      const m = readChat(v);
      return !m || seen.has(m.id) || !seen.add(m.id) || isJunk?.(v) === true;
    });
    // From the end, one delete per run of junk, so earlier indexes stay right.
    for (let end = junk.length; end > 0; ) {
      if (!junk[end - 1]) {
        end--;
        continue;
      }
      let start = end - 1;
      while (start > 0 && junk[start - 1]) start--;
      this.messages.delete(start, end - start);
      end = start;
    }
    const excess = this.messages.length - MAX_CHAT_HISTORY;
    if (excess > 0) this.messages.delete(0, excess);
  }

  /** Valid messages in (sentAt, id) order, one per id, the last MAX_CHAT_HISTORY. */
  chat(): ChatMessage[] {
    const valid: ChatMessage[] = [];
    for (const v of this.messages.toArray()) {
      const m = readChat(v);
      if (m) valid.push(m);
    }
    valid.sort(bySentAt);
    const seen = new Set<string>();
    const out = valid.filter((m) => !seen.has(m.id) && seen.add(m.id));
    return out.slice(-MAX_CHAT_HISTORY);
  }

  /** Raw participant values by map key, unverified: crdt/signed-room.ts verifies them. */
  participantValues(): [string, unknown][] {
    return [...this.people.entries()];
  }

  /** Writes a (signed) participant value as is. */
  putParticipant(id: string, value: unknown): void {
    this.people.set(id, value);
  }

  /** Raw chat values, unverified. */
  chatValues(): unknown[] {
    return this.messages.toArray();
  }

  /** Appends a (signed) chat value and trims; `isJunk` names values that go first. */
  pushChat(value: unknown, isJunk?: (v: unknown) => boolean): void {
    this.doc.transact(() => {
      this.messages.push([value]);
      this.trimChat(isJunk);
    });
  }

  /** The raw relay choice value, unverified. */
  relayValue(): unknown {
    return this.topology.get('relay');
  }

  putRelayValue(value: unknown): void {
    this.topology.set('relay', value);
  }

  /** Fires once per transaction (local or remote) that touched participants, chat or the relay choice. */
  onEntriesChange(cb: () => void): () => void {
    const watched: ReadonlySet<unknown> = new Set([this.people, this.messages, this.topology]);
    const handler = (tr: Y.Transaction) => {
      for (const type of tr.changed.keys()) if (watched.has(type)) return cb();
    };
    this.doc.on('afterTransaction', handler);
    return () => this.doc.off('afterTransaction', handler);
  }

  /** Fires once per transaction (local or remote) that touched participants or chat. */
  onChange(cb: () => void): () => void {
    const watched: ReadonlySet<unknown> = new Set([this.people, this.messages]);
    const handler = (tr: Y.Transaction) => {
      for (const type of tr.changed.keys()) if (watched.has(type)) return cb();
    };
    this.doc.on('afterTransaction', handler);
    return () => this.doc.off('afterTransaction', handler);
  }

  private update(id: string, patch: Partial<Participant>): void {
    const current = this.participant(id);
    if (current) this.people.set(id, { ...current, ...patch });
  }
}
