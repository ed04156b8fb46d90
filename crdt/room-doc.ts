import * as Y from 'yjs';

export interface Participant {
  id: string;
  name: string;
  micOn: boolean;
  camOn: boolean;
  joinedAt: number;
  leftAt?: number;
}

export interface ChatMessage {
  id: string;
  from: string;
  name: string;
  text: string;
  sentAt: number;
}

export const MAX_CHAT_CHARS = 2000;
export const MAX_NAME_CHARS = 60;
export const MAX_CHAT_HISTORY = 1000;

export class ChatTooLongError extends Error {
  constructor(readonly length: number) {
    super(`chat message of ${length} characters is over the ${MAX_CHAT_CHARS}-character limit`);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Remote peers can write anything into the doc: read every record through these. */
function readParticipant(id: string, v: unknown): Participant | null {
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.joinedAt !== 'number') return null;
  return {
    id,
    name: v.name.slice(0, MAX_NAME_CHARS),
    micOn: v.micOn === true,
    camOn: v.camOn === true,
    joinedAt: v.joinedAt,
    ...(typeof v.leftAt === 'number' ? { leftAt: v.leftAt } : {}),
  };
}

function readChat(v: unknown): ChatMessage | null {
  if (!isObject(v)) return null;
  const { id, from, name, text, sentAt } = v;
  if (typeof id !== 'string' || typeof from !== 'string' || typeof name !== 'string') return null;
  if (typeof text !== 'string' || typeof sentAt !== 'number') return null;
  return { id, from, name: name.slice(0, MAX_NAME_CHARS), text: text.slice(0, MAX_CHAT_CHARS), sentAt };
}

/**
 * The room's shared state on one Y.Doc. Participants are plain objects in a Y.Map keyed by
 * peer id: each peer writes only its own record, whole, so per-field merging buys nothing.
 * Chat is a Y.Array of plain objects, shown in (sentAt, id) order so every peer agrees.
 */
export class RoomDoc {
  readonly doc: Y.Doc;
  private readonly people: Y.Map<unknown>;
  private readonly messages: Y.Array<unknown>;

  constructor(doc: Y.Doc = new Y.Doc()) {
    this.doc = doc;
    this.people = doc.getMap('participants');
    this.messages = doc.getArray('chat');
  }

  join(p: { id: string; name: string; micOn: boolean; camOn: boolean }, now = Date.now()): void {
    const record: Participant = { ...p, name: p.name.slice(0, MAX_NAME_CHARS), joinedAt: now };
    this.people.set(p.id, record);
  }

  setMedia(id: string, media: { micOn?: boolean; camOn?: boolean }): void {
    this.update(id, media);
  }

  setName(id: string, name: string): void {
    this.update(id, { name: name.slice(0, MAX_NAME_CHARS) });
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
    return out.sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));
  }

  present(): Participant[] {
    return this.participants().filter((p) => p.leftAt === undefined);
  }

  sendChat(from: string, text: string, now = Date.now()): ChatMessage {
    const body = text.trim();
    if (body.length === 0) throw new Error('empty chat message');
    if (body.length > MAX_CHAT_CHARS) throw new ChatTooLongError(body.length);
    const message: ChatMessage = { id: randomId(), from, name: this.participant(from)?.name ?? 'Someone', text: body, sentAt: now };
    this.doc.transact(() => {
      this.messages.push([message]);
      const excess = this.messages.length - MAX_CHAT_HISTORY;
      if (excess > 0) this.messages.delete(0, excess);
    });
    return message;
  }

  chat(): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const v of this.messages.toArray()) {
      const m = readChat(v);
      if (m) out.push(m);
    }
    out.sort((a, b) => a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out.slice(-MAX_CHAT_HISTORY);
  }

  onChange(cb: () => void): () => void {
    const handler = () => cb();
    this.people.observe(handler);
    this.messages.observe(handler);
    return () => {
      this.people.unobserve(handler);
      this.messages.unobserve(handler);
    };
  }

  private update(id: string, patch: Partial<Participant>): void {
    const current = this.participant(id);
    if (current) this.people.set(id, { ...current, ...patch });
  }
}
