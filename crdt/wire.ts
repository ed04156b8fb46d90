/**
 * Every message that crosses the network, as typed unions shared by client, signaling relay
 * and (later) relay node. PROTOCOL.md describes the same in prose; keep the two together.
 */

export const PROTOCOL_VERSION = 1;

/**
 * A publish payload: Confab always sends a string (ciphertext); stock y-webrtc clients send a
 * JSON object when their room has no password. The relay forwards either untouched.
 */
export type SignalingData = string | { [key: string]: unknown };

/** Signaling relay wire protocol: y-webrtc's, so stock y-webrtc clients work against /signal. */
export type SignalingClientFrame =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; data: SignalingData }
  | { type: 'ping' };

export type SignalingServerFrame =
  | { type: 'publish'; topic: string; data: SignalingData; clients: number }
  | { type: 'pong' }
  /** Sent before the server closes a socket for abuse (too big, too fast, too many topics). */
  | { type: 'error'; reason: string };

/** Limits the signaling relay enforces on every socket. */
export const SIGNALING_LIMITS = {
  maxFrameBytes: 64 * 1024,
  maxTopicsPerSocket: 64,
  maxTopicLength: 128,
  /** Token bucket: sustained frames per second, and the burst allowed on top. */
  framesPerSecond: 50,
  frameBurst: 200,
  /** Malformed frames tolerated before the socket is closed. */
  maxMalformedFrames: 20,
} as const;

/**
 * What Confab puts inside a publish `data` (after AES-GCM decryption): a peer-to-peer signal.
 * `to` is absent on the room topic (a broadcast) and names the recipient on a peer topic.
 */
export interface SignalEnvelope {
  v: typeof PROTOCOL_VERSION;
  from: string;
  to?: string;
  msg: PeerSignal;
}

export type PeerSignal =
  /** "I am here": sent on the room topic on join and answered directly by everyone present. */
  | { kind: 'announce' }
  /** "I am leaving": peers drop the connection at once instead of waiting for ICE to time out. */
  | { kind: 'bye' }
  | { kind: 'description'; description: { type: RTCSdpTypeName; sdp: string }; dial?: number }
  | { kind: 'candidate'; candidate: IceCandidateInit | null; dial?: number };

/**
 * `dial` on descriptions and candidates names the connection between two peers they belong to:
 * the dialing (impolite) side's clock, in ms, when it made that RTCPeerConnection; the other
 * side echoes it. An offer with a greater dial than the current connection's is a redial
 * (after a network drop): the receiver replaces its connection. Any other mismatch is stale.
 */
export type LinkSignal = Extract<PeerSignal, { kind: 'description' | 'candidate' }>;

export type RTCSdpTypeName = 'offer' | 'answer' | 'pranswer' | 'rollback';

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** First byte of every data-channel message between peers. */
export const ChannelTag = {
  /** y-protocols sync message (sync step 1/2 or update) for the room document. */
  Yjs: 0,
  /** A PeerSignal 'bye' (no body): the peer is leaving on purpose. */
  Bye: 1,
  /**
   * One piece of a message too big for one data-channel message (browsers cap them near
   * 256 KiB): [2, inner tag, 1 if more pieces follow else 0, ...bytes]. Channels are ordered.
   */
  Chunk: 2,
} as const;

/** Data-channel messages are cut into pieces of at most this many bytes. */
export const CHANNEL_CHUNK_BYTES = 16 * 1024;
