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
  /**
   * The first frame on every socket: what the operator configured for this server. Stock
   * y-webrtc clients ignore unknown types, so this costs them nothing.
   */
  | { type: 'welcome'; v: typeof PROTOCOL_VERSION; iceServers: IceServer[]; relay?: RelayOffer }
  /** A subscription the server did not make; the socket stays open and usable. */
  | { type: 'refused'; topic: string; reason: SubscribeRefusal; limit: number }
  /** Sent before the server closes a socket for abuse (too big, too fast, too many topics). */
  | { type: 'error'; reason: string };

/**
 * Why a subscribe was refused: `room-full` = the topic already has `limit` subscribers;
 * `server-full` = the server already holds `limit` rooms (topics with two or more subscribers);
 * `address-full` = the subscriber's network already holds `limit` topics or takes part in
 * `limit` rooms (SIGNALING_LIMITS' per-address limits).
 */
export type SubscribeRefusal = 'room-full' | 'server-full' | 'address-full';

/**
 * In the welcome frame when this server also runs a relay node (its control socket is `relay`
 * beside `signal`): rooms of more than `meshMax` people use it instead of a full mesh.
 */
export interface RelayOffer {
  meshMax: number;
}

/** A STUN or TURN server, as RTCPeerConnection takes it (RTCIceServer). */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

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
  /**
   * Per network (an IPv4 address, an IPv6 /64): sockets open at once, topics held over all its
   * sockets, and rooms (topics with two or more subscribers) it takes part in. A stranger's
   * junk topics cannot fill the server; an office behind one NAT still holds many meetings.
   */
  maxSocketsPerAddress: 256,
  maxTopicsPerAddress: 512,
  maxRoomsPerAddress: 20,
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
  /** The sender's participant signature (crdt/identity/signal-auth.ts); relay signals carry their own (RelayPresenceProof). */
  auth?: SignalAuth;
}

/**
 * Who signed a signal and where it may count: `key` (hashes to `from`), `inst` (the sender's page
 * load), `seq` (rises with the sender's clock in ms, never repeats), `toInst` (the recipient's
 * page load, on a signal to one peer), `sig` = ECDSA P-256 over the JSON
 * `["confab/signal/v1", roomId, from, to|null, key, inst, seq, toInst|null, msg]`.
 */
export interface SignalAuth {
  key: string;
  inst: string;
  seq: number;
  toInst?: string;
  sig: string;
}

export type PeerSignal =
  /**
   * "I am here": sent on the room topic on join and answered directly by everyone present.
   * `key` is the sender's participant key (its peer id is a hash of it); `proof` holds the
   * control records that let it in (an admission in a locked room, a host device record).
   * `instance` is new on every page load: the same key (a reloaded tab) with a new instance
   * means the old connection is dead. `mesh: false`: the sender's media and room state go
   * through a relay it shares with the room, so it wants no peer link from those that say the
   * same (absent: it wants links, as before relays). `pkg`: the sender's media key package
   * (PROTOCOL.md, "Media keys"), so a committer can seal the next epoch to it before the link
   * is up; `entry`: the sender's signed participant entry as stored in the room document, so
   * others know who it is the moment the link is up.
   */
  | { kind: 'announce'; key: string; proof: unknown[]; instance: string; mesh?: boolean; pkg?: string; entry?: unknown }
  /** "I am leaving": peers drop the connection at once instead of waiting for ICE to time out. */
  | { kind: 'bye' }
  /** `sig`: the sender's participant key over the DTLS fingerprints of `sdp` (crdt/identity/participant-identity.ts). */
  | { kind: 'description'; description: { type: RTCSdpTypeName; sdp: string }; key: string; sig: string; dial?: number }
  | { kind: 'candidate'; candidate: IceCandidateInit | null; dial?: number }
  /** "You may not be here": why, with the signed records that show it (recordsAbout). */
  | { kind: 'refused'; reason: 'locked' | 'denied' | 'removed' | 'ended'; records: unknown[] }
  /** A newcomer to a locked room asks the host and co-hosts to let it in. */
  | { kind: 'knock'; key: string; name: string }
  /** A host's answer to a knock: the signed admit or deny record, with what it depends on. */
  | { kind: 'decision'; records: unknown[] }
  /**
   * A relay node present in the room (`confab relay --join`): on the room topic when it joins
   * and every RELAY_ANNOUNCE_EVERY_MS, and to a newcomer's own topic when it announces. The
   * envelope's `from` is the relay's id. `seq` and `sig`: RelayPresenceProof.
   */
  | ({ kind: 'relay'; relay: RelayAnnouncement } & RelayPresenceProof)
  /** The relay node is shutting down: peers forget it at once and move off it. Signed like `relay`. */
  | ({ kind: 'relay-bye'; relay: RelayAnnouncement } & RelayPresenceProof);

/**
 * Version of the relay announcement (crdt/protocol/relay-presence.ts); a receiver ignores others.
 * 2: signed by the relay's own key, the id bound to that key (1 went unsigned).
 */
export const RELAY_PRESENCE_VERSION = 2;

export interface RelayAnnouncement {
  v: typeof RELAY_PRESENCE_VERSION;
  /**
   * base64url of the first 12 bytes of SHA-256 of the JSON `["confab/relay-id/v2", url, key]`
   * (crdt/protocol/relay-presence.ts relayIdFor): only the holder of `key` can speak for it, and
   * an approval of it names both the key and the address.
   */
  id: string;
  /** The relay node's control socket, `ws(s)://host:port/…/relay`. */
  url: string;
  /** Rooms of more than this many people use a relay, when the room's own server offers none. */
  meshMax: number;
  /** The relay node's long-lived signing key: ECDSA P-256, raw uncompressed point, base64url. */
  key: string;
}

/**
 * A relay presence signal's proof (crdt/identity/relay-presence-auth.ts): `seq` rises with the
 * relay's clock in ms and never repeats; `sig` = ECDSA P-256 by `relay.key` over the JSON
 * `["confab/relay-presence/v2", roomId, kind, id, url, meshMax, key, seq]`.
 */
export interface RelayPresenceProof {
  seq: number;
  sig: string;
}

/**
 * What one connection's negotiation exchanges; the mesh adds the signer's key and signature
 * to descriptions. `dial` names the connection between two peers they belong to:
 * the dialing (impolite) side's clock, in ms, when it made that RTCPeerConnection; the other
 * side echoes it. An offer with a greater dial than the current connection's is a redial
 * (after a network drop): the receiver replaces its connection. Any other mismatch is stale.
 */
export type LinkSignal =
  | { kind: 'description'; description: { type: RTCSdpTypeName; sdp: string }; dial?: number }
  | { kind: 'candidate'; candidate: IceCandidateInit | null; dial?: number };

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
  /** The current media-encryption key (JSON {epoch, key: base64url}), see PROTOCOL.md. */
  MediaKey: 3,
} as const;

/** Data-channel messages are cut into pieces of at most this many bytes. */
export const CHANNEL_CHUNK_BYTES = 16 * 1024;
