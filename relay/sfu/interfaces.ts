import type { RelayServerMessage } from '../../crdt/protocol/relay-wire';

/**
 * The boundary of the relay node's media plane. The forwarding core (room.ts) sees only these;
 * the node-datachannel glue (peer.ts) and the control socket (control.ts) implement them, and
 * unit tests fake them. Direction is named from the relay: up = from a publisher, down = to a
 * subscriber.
 */

export const LAYER_NONE = -1;
export const LAYER_LOW = 0;
export const LAYER_MID = 1;
export const LAYER_HIGH = 2;
/** The shared screen: forwarded like a fourth camera layer, but a stream of its own (one layer, full size). */
export const LAYER_SCREEN = 3;
export type LayerIndex = -1 | 0 | 1 | 2 | 3;
/** An up video stream: a camera layer (0–2) or the screen (3). */
export type UpVideoIndex = 0 | 1 | 2 | 3;

/** A stream the relay receives from a publisher (one up m-line). */
export interface UpTrack {
  /** Ask the publisher for a keyframe (PLI). Only once the track is open. */
  requestKeyframe(): void;
  isOpen(): boolean;
}

/** A stream the relay sends to a subscriber (one down m-line, one SSRC). */
export interface DownTrack {
  /** Sends one RTP packet; the bytes are copied before this returns, so the caller may reuse them. */
  send(packet: Uint8Array): void;
  isOpen(): boolean;
}

/** The control channel to one participant. */
export interface ControlSink {
  send(message: RelayServerMessage): void;
}

/** What a publisher's up connection carries. Clock rates: VP8 90 kHz, Opus 48 kHz. */
export interface UpStreams {
  audio: UpTrack | null;
  /** Indexed by UpVideoIndex (low, mid, high, screen); null where not published. */
  video: (UpTrack | null)[];
  /** Payload types in the up offer (packets with any other, e.g. RTX, are dropped). */
  audioPayloadType: number;
  videoPayloadType: number;
  /** `a=extmap` id of urn:ietf:params:rtp-hdrext:ssrc-audio-level, 0 if not negotiated. */
  audioLevelExtensionId: number;
}

/** What a subscriber's down connection carries: fixed slots, each one SSRC. */
export interface DownStreams {
  video: { track: DownTrack; ssrc: number }[];
  audio: { track: DownTrack; ssrc: number }[];
}

/** Payload types the relay uses on down connections (its own offer). */
export const DOWN_VP8_PAYLOAD_TYPE = 96;
export const DOWN_OPUS_PAYLOAD_TYPE = 111;
