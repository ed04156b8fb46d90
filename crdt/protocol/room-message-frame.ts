/**
 * Framing of room messages on the relay's data channel (PROTOCOL.md, "Room state through the
 * relay"). The relay reads only this header; the rest is a piece of a message sealed with the
 * room's message key, which it cannot read.
 *
 *   participant → relay:  [kind][n][n bytes: recipient peer id, n = 0 for a broadcast][piece]
 *   relay → participant:  [kind][n][n bytes: sender peer id, set by the relay][piece]
 *
 * A message is sealed whole (encodeRoomMessage, then the room's message key: IV ‖ ciphertext)
 * and the sealed bytes are framed as on a peer data channel (channel-framing.ts) under tag
 * SEALED_MESSAGE_TAG: one piece `[0][sealed]`, or chunks `[2][0][more][…]`.
 *
 * and, from the relay only, who is reachable: [Presence][n][peer id][1 joined | 0 left], and
 * a heartbeat [Beat][0] every second.
 */

export const RoomMessageKind = {
  /** To everyone else in the room. */
  Broadcast: 0,
  /** To one peer. */
  Direct: 1,
  /** From the relay: a peer's room channel opened (piece [1]) or closed ([0]). */
  Presence: 2,
  /** From the relay, every BEAT_EVERY_MS: it is alive (a frozen relay host closes no socket). */
  Beat: 3,
} as const;

export const BEAT_EVERY_MS = 1_000;
export type RoomMessageKind = (typeof RoomMessageKind)[keyof typeof RoomMessageKind];

/** The data channel's label. */
export const ROOM_CHANNEL_LABEL = 'confab-room';
/** Longest peer id in a header (ids are base64url, 16 characters today). */
export const MAX_FRAME_PEER_ID = 64;
/** A frame carries at most one 16 KiB piece (CHANNEL_CHUNK_BYTES) and its header. */
export const MAX_ROOM_FRAME_BYTES = 16 * 1024 + 2 + MAX_FRAME_PEER_ID;

const ascii = new TextEncoder();
const fromAscii = new TextDecoder();

export interface RoomFrame {
  kind: RoomMessageKind;
  /** Recipient (participant → relay) or sender (relay → participant); '' for none. */
  peer: string;
  piece: Uint8Array;
}

export function encodeRoomFrame(kind: RoomMessageKind, peer: string, piece: Uint8Array): Uint8Array {
  const id = ascii.encode(peer);
  if (id.length > MAX_FRAME_PEER_ID) throw new Error('peer id too long for a room frame');
  const out = new Uint8Array(2 + id.length + piece.length);
  out[0] = kind;
  out[1] = id.length;
  out.set(id, 2);
  out.set(piece, 2 + id.length);
  return out;
}

/** Null for anything malformed: unknown kind, a header past the end, oversized. */
export function decodeRoomFrame(frame: Uint8Array): RoomFrame | null {
  if (frame.length < 2 || frame.length > MAX_ROOM_FRAME_BYTES) return null;
  const kind = frame[0]!;
  const n = frame[1]!;
  if (kind > RoomMessageKind.Beat || n > MAX_FRAME_PEER_ID || 2 + n > frame.length) return null;
  return { kind: kind as RoomMessageKind, peer: fromAscii.decode(frame.subarray(2, 2 + n)), piece: frame.subarray(2 + n) };
}

/** The channel tag the sealed bytes are framed under (channel-framing.ts) before they are cut into pieces. */
export const SEALED_MESSAGE_TAG = 0;

/** What is sealed: [n][sender id][m][recipient id, m = 0 for the room][channel tag][bytes]. */
export function encodeRoomMessage(from: string, to: string, tag: number, bytes: Uint8Array): Uint8Array {
  const f = ascii.encode(from);
  const t = ascii.encode(to);
  const out = new Uint8Array(3 + f.length + t.length + bytes.length);
  out[0] = f.length;
  out.set(f, 1);
  out[1 + f.length] = t.length;
  out.set(t, 2 + f.length);
  out[2 + f.length + t.length] = tag;
  out.set(bytes, 3 + f.length + t.length);
  return out;
}

/** Null for anything too short or with an id past MAX_FRAME_PEER_ID. */
export function decodeRoomMessage(plain: Uint8Array | null): { from: string; to: string; tag: number; bytes: Uint8Array } | null {
  if (!plain || plain.length < 3) return null;
  const n = plain[0]!;
  if (n > MAX_FRAME_PEER_ID || plain.length < 3 + n) return null;
  const m = plain[1 + n]!;
  if (m > MAX_FRAME_PEER_ID || plain.length < 3 + n + m) return null;
  return {
    from: fromAscii.decode(plain.subarray(1, 1 + n)),
    to: fromAscii.decode(plain.subarray(2 + n, 2 + n + m)),
    tag: plain[2 + n + m]!,
    bytes: plain.subarray(3 + n + m),
  };
}
