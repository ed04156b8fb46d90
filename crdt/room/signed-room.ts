import { randomId } from '../protocol/base64url';
import type { SigningIdentity } from '../identity/host-identity';
import { ChatTooLongError, EmptyChatError, type RoomDoc } from './room-doc';
import { byJoinedAt, bySentAt, clamp, MAX_CHAT_CHARS, MAX_CHAT_HISTORY, MAX_NAME_CHARS, MAX_RELAY_URL_CHARS, type ChatMessage, type Participant, type Reaction, type RelayChoice } from './room-schema';
import {
  choiceOf,
  signChat,
  signParticipant,
  signRelayChoice,
  verifyChat,
  verifyParticipant,
  verifyRelayChoice,
  type SignedChat,
  type SignedParticipant,
  type SignedRelayChoice,
} from './signed-entries';

interface Author {
  identity: SigningIdentity;
  id: string;
}

/**
 * The room as people see it: only entries their authors signed (crdt/room/signed-entries.ts). Each
 * peer remembers the newest verified entry of everyone and every verified message it has seen,
 * so a member who overwrites or deletes someone else's entry changes nothing here; the author,
 * seeing its entry replaced, writes it back, so newcomers get it too. Writes are signed with
 * this page's participant key, one at a time, so each entry's `rev` only grows.
 */
export class SignedRoom {
  private readonly people = new Map<string, SignedParticipant>();
  private readonly messages = new Map<string, SignedChat>();
  private choice: SignedRelayChoice | null = null;
  /** Raw document values already judged, with what they read as (values are never changed in place). */
  private readonly judged = new WeakMap<object, object | null>();
  private own: SignedParticipant | null = null;
  private author: Author | null = null;
  private readonly authorReady: Promise<Author>;
  private setAuthor!: (a: Author) => void;
  private writes: Promise<unknown> = Promise.resolve();
  private reading: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly stopWatching: () => void;

  constructor(
    readonly room: RoomDoc,
    readonly roomId: string,
    /** Whose relay choice counts (a moderator's, or anyone's the room's records let in). */
    private readonly mayChooseRelay: (key: string) => boolean = () => true,
  ) {
    this.authorReady = new Promise((resolve) => (this.setAuthor = resolve));
    this.stopWatching = room.onEntriesChange(() => void this.refresh());
    void this.refresh();
  }

  /** From now on, writes are signed with this participant key (its peer id is `id`). */
  signAs(identity: SigningIdentity, id: string): void {
    this.author = { identity, id };
    this.setAuthor(this.author);
  }

  participants(): Participant[] {
    return [...this.people.values()].sort(byJoinedAt);
  }

  present(): Participant[] {
    return this.participants().filter((p) => p.leftAt === undefined);
  }

  participant(id: string): Participant | undefined {
    return this.people.get(id);
  }

  /** Verified messages in (sentAt, id) order, the last MAX_CHAT_HISTORY; `from` is the signer. */
  chat(): ChatMessage[] {
    return [...this.messages.values()].sort(bySentAt);
  }

  relayChoice(): RelayChoice | null {
    return choiceOf(this.choice);
  }

  /** Our own signed entry as stored (null before join): it rides in our announce too. */
  ownEntry(): SignedParticipant | null {
    return this.own;
  }

  /**
   * A peer's signed entry that came with its announce, ahead of the document: shown once
   * verified, exactly as if read from the document (which brings the same entry moments later).
   */
  async consider(id: string, v: unknown): Promise<void> {
    const entry = await this.judge(v, () => verifyParticipant(this.roomId, id, v));
    const known = this.people.get(id);
    if (!entry || (known && entry.rev <= known.rev)) return;
    this.people.set(id, entry);
    this.emit();
  }

  /** Fires after a change of the verified view. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Resolves once every change seen so far is verified, and every write so far is made. */
  async settled(): Promise<void> {
    await this.writes;
    await this.reading;
  }

  join(p: { name: string; micOn: boolean; camOn: boolean }, now = Date.now()): Promise<void> {
    return this.write(async ({ id }) => ({ id, name: clamp(p.name, MAX_NAME_CHARS), micOn: p.micOn, camOn: p.camOn, joinedAt: now }));
  }

  setMedia(media: { micOn?: boolean; camOn?: boolean; screenOn?: boolean }): Promise<void> {
    return this.update((p) => {
      const next = { ...p, ...(media.micOn !== undefined ? { micOn: media.micOn } : {}), ...(media.camOn !== undefined ? { camOn: media.camOn } : {}) };
      if (media.screenOn === true) next.screenOn = true;
      if (media.screenOn === false) delete next.screenOn;
      return next;
    });
  }

  /** Starts or ends this participant's "Recording" mark (a local recording; nothing is uploaded). */
  setRecording(on: boolean, now = Date.now()): Promise<void> {
    return this.update(({ recordingSince, ...rest }) => (on ? { ...rest, recordingSince: recordingSince ?? now } : rest));
  }

  setHand(up: boolean, now = Date.now()): Promise<void> {
    return this.update(({ handUpAt, ...rest }) => (up ? { ...rest, handUpAt: handUpAt ?? now } : rest));
  }

  react(emoji: Reaction, now = Date.now()): Promise<void> {
    return this.update((p) => ({ ...p, reaction: { emoji, at: now } }));
  }

  setName(name: string): Promise<void> {
    return this.update((p) => ({ ...p, name: clamp(name, MAX_NAME_CHARS) }));
  }

  leave(now = Date.now()): Promise<void> {
    return this.update((p) => ({ ...p, leftAt: now }));
  }

  /** Throws EmptyChatError or ChatTooLongError at once (after trimming); the write follows. */
  sendChat(text: string, now = Date.now()): Promise<ChatMessage> {
    const body = text.trim();
    if (body.length === 0) throw new EmptyChatError();
    if (body.length > MAX_CHAT_CHARS) throw new ChatTooLongError(body.length);
    return this.queue(async ({ identity, id }) => {
      const name = clamp(this.people.get(id)?.name ?? 'Someone', MAX_NAME_CHARS);
      const signed = await signChat(identity, this.roomId, { id: randomId(), from: id, name, text: body, sentAt: now });
      this.judged.set(signed, signed);
      this.messages.set(signed.id, signed);
      this.room.pushChat(signed, (v) => typeof v === 'object' && v !== null && this.judged.get(v) === null);
      // Already in `messages`, so the read that the push triggers sees nothing new: tell the views here.
      this.emit();
      return signed;
    });
  }

  /** Records which relay carries the room (null: a mesh); an unchanged choice is not rewritten. */
  setRelayChoice(relay: string | null, now = Date.now()): Promise<void> {
    if (relay !== null && relay.length > MAX_RELAY_URL_CHARS) return Promise.resolve();
    return this.queue(async ({ identity }) => {
      if ((this.choice?.relay ?? null) === relay) return;
      const signed = await signRelayChoice(identity, this.roomId, { relay, at: now });
      this.judged.set(signed, signed);
      this.choice = signed;
      this.room.putRelayValue(signed);
    });
  }

  destroy(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private update(change: (p: Participant) => Participant): Promise<void> {
    return this.write(async ({ id }) => {
      const current = this.own ?? this.people.get(id);
      if (!current) return null;
      const { key: _k, sig: _s, rev: _r, ...fields } = current;
      return change(fields);
    });
  }

  /** Signs and stores our own entry with a `rev` above every one of ours seen (a reload included). */
  private write(next: (author: Author) => Promise<Participant | null>): Promise<void> {
    return this.queue(async (author) => {
      const fields = await next(author);
      if (!fields) return;
      const last = Math.max(this.own?.rev ?? 0, this.people.get(author.id)?.rev ?? 0);
      const signed = await signParticipant(author.identity, this.roomId, { ...fields, rev: Math.max(Date.now(), last + 1) });
      this.judged.set(signed, signed);
      this.own = signed;
      this.people.set(author.id, signed);
      this.room.putParticipant(author.id, signed);
      this.emit();
    });
  }

  private queue<T>(run: (author: Author) => Promise<T>): Promise<T> {
    const result = this.writes.then(() => this.authorReady).then(run);
    this.writes = result.catch((err: unknown) => console.warn('[confab] writing to the room document failed:', err));
    return result;
  }

  private refresh(): Promise<void> {
    if (this.queued) return this.queued;
    this.queued = this.reading = this.reading
      .then(async () => {
        this.queued = null;
        if (await this.read()) this.emit();
        this.heal();
      })
      .catch((err: unknown) => console.warn('[confab] reading the room document failed:', err));
    return this.queued;
  }

  /** Verifies what is new in the document; true when the verified view changed. */
  private async read(): Promise<boolean> {
    let changed = false;
    for (const [id, v] of this.room.participantValues()) {
      const entry = await this.judge(v, () => verifyParticipant(this.roomId, id, v));
      const known = this.people.get(id);
      if (entry && (!known || entry.rev > known.rev)) {
        this.people.set(id, entry);
        changed = true;
      }
    }
    for (const v of this.room.chatValues()) {
      const m = await this.judge(v, () => verifyChat(this.roomId, v));
      if (m && !this.messages.has(m.id)) {
        this.messages.set(m.id, m);
        changed = true;
      }
    }
    if (this.messages.size > MAX_CHAT_HISTORY) {
      for (const m of this.chat().slice(0, this.messages.size - MAX_CHAT_HISTORY)) this.messages.delete(m.id);
    }
    const raw = this.room.relayValue();
    const choice = await this.judge(raw, () => verifyRelayChoice(this.roomId, raw));
    if (choice && choice !== this.choice && this.mayChooseRelay(choice.key) && (!this.choice || choice.at >= this.choice.at)) {
      this.choice = choice;
      changed = true;
    }
    return changed;
  }

  /** Someone replaced or deleted our entry: put ours back. */
  private heal(): void {
    if (!this.author || !this.own) return;
    const stored = this.room.participantValues().find(([id]) => id === this.author!.id)?.[1];
    if ((stored as { sig?: unknown } | undefined)?.sig !== this.own.sig) this.room.putParticipant(this.author.id, this.own);
  }

  private async judge<T extends object>(v: unknown, verify: () => Promise<T | null>): Promise<T | null> {
    if (typeof v !== 'object' || v === null) return null;
    const verdict = this.judged.get(v);
    if (verdict !== undefined) return verdict as T | null;
    const entry = await verify();
    this.judged.set(v, entry);
    return entry;
  }

  private emit(): void {
    for (const cb of this.listeners) cb();
  }
}
