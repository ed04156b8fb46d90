/**
 * The shape of the room document's records, and readers for them. Anything read from the doc
 * came from some peer, so it is untrusted: readers return null for records of the wrong shape
 * and clamp strings, so malformed remote data never throws in the UI.
 */

/** Limits every reader applies: a name, a chat message, the chat kept, an id (ours are short; a longer one is hostile). */
export const MAX_NAME_CHARS = 60;
export const MAX_CHAT_CHARS = 2000;
export const MAX_CHAT_HISTORY = 1000;
const MAX_ID_CHARS = 128;

export interface Participant {
  id: string;
  name: string;
  micOn: boolean;
  camOn: boolean;
  /** Sharing a screen: views show it large. */
  screenOn?: boolean;
  joinedAt: number;
  leftAt?: number;
  /** When the hand went up; absent when it is down. Lists order raised hands by it. */
  handUpAt?: number;
  /** The latest emoji reaction; views show it for a few seconds after it changes. */
  reaction?: { emoji: Reaction; at: number };
  /** Recording the call on their own device since then: everyone sees a "Recording" mark. */
  recordingSince?: number;
}

/** The reactions the toolbar offers, with the names their buttons carry. */
export const REACTIONS = { '👍': 'Thumbs up', '❤️': 'Heart', '😂': 'Laugh', '👏': 'Clap', '🎉': 'Party', '😮': 'Wow' } as const;
export type Reaction = keyof typeof REACTIONS;
const isReaction = (v: unknown): v is Reaction => typeof v === 'string' && Object.hasOwn(REACTIONS, v);

export interface ChatMessage {
  id: string;
  from: string;
  name: string;
  text: string;
  sentAt: number;
}


/** Cuts to `max` UTF-16 units without leaving half a surrogate pair at the end. */
export function clamp(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS;

/** `id` is the map key, which is authoritative over anything inside the record. */
export function readParticipant(id: string, v: unknown): Participant | null {
  if (!isId(id) || !isRecord(v) || typeof v.name !== 'string' || !isTime(v.joinedAt)) return null;
  const p: Participant = {
    id,
    name: clamp(v.name, MAX_NAME_CHARS),
    micOn: v.micOn === true,
    camOn: v.camOn === true,
    joinedAt: v.joinedAt,
  };
  if (isTime(v.leftAt)) p.leftAt = v.leftAt;
  if (isTime(v.handUpAt)) p.handUpAt = v.handUpAt;
  if (v.screenOn === true) p.screenOn = true;
  if (isTime(v.recordingSince)) p.recordingSince = v.recordingSince;
  const r = v.reaction;
  if (isRecord(r) && isReaction(r.emoji) && isTime(r.at)) p.reaction = { emoji: r.emoji, at: r.at };
  return p;
}

export function readChat(v: unknown): ChatMessage | null {
  if (!isRecord(v)) return null;
  const { id, from, name, text, sentAt } = v;
  if (!isId(id) || !isId(from) || typeof name !== 'string' || typeof text !== 'string' || !isTime(sentAt)) return null;
  return { id, from, name: clamp(name, MAX_NAME_CHARS), text: clamp(text, MAX_CHAT_CHARS), sentAt };
}

/** Which relay node carries the room's media (its control socket's URL), and since when. */
export interface RelayChoice {
  relay: string;
  at: number;
}

export const MAX_RELAY_URL_CHARS = 512;

export function readRelayChoice(v: unknown): RelayChoice | null {
  if (!isRecord(v) || typeof v.relay !== 'string' || v.relay.length === 0 || v.relay.length > MAX_RELAY_URL_CHARS || !isTime(v.at)) return null;
  return { relay: v.relay, at: v.at };
}

export const byJoinedAt = (a: Participant, b: Participant): number =>
  a.joinedAt - b.joinedAt || compareStrings(a.id, b.id);

/** (sentAt, id): the same total order on every peer, whatever order the array merged in. */
export const bySentAt = (a: ChatMessage, b: ChatMessage): number =>
  a.sentAt - b.sentAt || compareStrings(a.id, b.id);

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
