/**
 * The relay node's control protocol: every message between a participant and the relay node's
 * media plane, as one typed union per direction. PROTOCOL.md ("Relay node media plane")
 * describes the same in prose; keep the two together. (Signaling and peer messages: wire.ts.)
 */

import type { Exclusion } from '../room/control-records';

/**
 * 2: sessions are bound to participant keys (nonce in `welcome`, proof in `hello`) and the relay
 * enforces control records. 3: `hello` also shows the room link (`gate`, `access`).
 */
export const RELAY_PROTOCOL_VERSION = 3;

/** Video layers a participant publishes: three send-only transceivers at scales 4/2/1. */
export const VIDEO_LAYERS = ['low', 'mid', 'high'] as const;
export type VideoLayer = (typeof VIDEO_LAYERS)[number];
/** What a subscriber asks of one tile: a layer, or nothing (tile hidden). */
export type WantedLayer = VideoLayer | 'none';
/**
 * What a video slot shows of a publisher: its camera (three layers), or the screen it shares
 * (one send-only transceiver at full resolution, its one layer called `high`).
 */
export type VideoSource = 'camera' | 'screen';
/** An up video stream the relay can ask a publisher to pause: a camera layer, or the screen. */
export type UpVideo = VideoLayer | 'screen';

/**
 * Which m-line (by `a=mid`) of the participant's offer carries what. Up: send-only audio and
 * video layers (layers not published are left out). Down: receive-only slots the relay fills,
 * one m-line per tile and per audio slot.
 */
export interface ConnectLayout {
  audio?: string;
  video: Partial<Record<VideoLayer, string>>;
  /** The shared screen's send-only VP8 m-line (sends only while a screen is shared and watched). */
  screen?: string;
  downVideo: string[];
  downAudio: string[];
}

/** A down stream the relay sends: its m-line and the SSRC the relay's answer lists for it. */
export interface DownSlot {
  mid: string;
  ssrc: number;
}

/** Why the relay turned a session away (it closes the socket after saying so). */
export type RelayRefusal = Exclusion | 'bad proof';

export type RelayClientMessage =
  /**
   * First message, once `welcome` gave the nonce. `room` is the room's signaling topic; `peer`
   * the peer id; `key` the participant public key (hashes to `peer`); `proof` its signature
   * over the nonce, room and peer (crdt/identity/relay-proof.ts).
   */
  /** `gate` and `access` show the room link (crdt/identity/relay-access.ts); `key` and `proof` the participant key. */
  | { type: 'hello'; v: typeof RELAY_PROTOCOL_VERSION; room: string; peer: string; key: string; proof: string; gate: string; access: string }
  /** Signed control records the participant holds: all of them after hello, then each new one. */
  | { type: 'control'; records: unknown[] }
  /**
   * The participant's offer for its one connection to the relay: send-only audio + video
   * layers (each m-line with its a=ssrc) and receive-only down slots.
   */
  | { type: 'connect'; sdp: string; layout: ConnectLayout }
  /** A trickled ICE candidate (null: end of candidates). */
  | { type: 'candidate'; candidate: string | null; mid: string }
  /**
   * Show `publisher` in video slot `tile` at `layer` ('none' frees the slot). `source` 'screen':
   * the screen it shares instead of its camera (layer `high` or `none`); absent: the camera.
   */
  | { type: 'subscribe'; tile: number; publisher: string; layer: WantedLayer; source?: VideoSource }
  /**
   * Always hear `publisher` (null: nobody), whether or not among the loudest: in one of the
   * audio slots (the last, if the loudest fill them all), unless they are silent or muted.
   */
  | { type: 'pin'; publisher: string | null }
  | { type: 'bye' };

export type RelayServerMessage =
  /**
   * First message on the socket: `nonce` is what `hello` must sign. `screen`: the relay forwards
   * shared screens (`ConnectLayout.screen`, `subscribe` with `source`); older relays leave it out.
   */
  | { type: 'welcome'; v: typeof RELAY_PROTOCOL_VERSION; nonce: string; maxVideoSlots: number; maxAudioSlots: number; screen?: true }
  /**
   * The session is refused or ended (bad proof, or the room's records keep this key out); the
   * relay closes the socket next. `records`: the control records that show it, to check.
   */
  | { type: 'refused'; reason: RelayRefusal; records: unknown[] }
  /** The relay's answer to `connect` (it is the DTLS client) and the SSRC of every down slot. */
  | { type: 'answer'; sdp: string; video: DownSlot[]; audio: DownSlot[] }
  /**
   * To a publisher: layers nobody watches, to pause (`RTCRtpEncodingParameters.active = false`),
   * and `screen` when its layout has one and nobody watches it. Sent after `connect` and
   * whenever the set changes; all start paused.
   */
  | { type: 'pause'; layers: UpVideo[] }
  /** To a subscriber: whose voice each audio slot carries now (null: silent slot). */
  | { type: 'speakers'; slots: (string | null)[] }
  /**
   * To everyone in the room: who publishes now (peer ids, in the order they published). Sent
   * after each `answer` and whenever someone publishes or leaves.
   */
  | { type: 'publishers'; peers: string[] }
  /** A refused message; the socket stays open unless the relay must close it. */
  | { type: 'error'; reason: string };

export const RELAY_LIMITS = {
  maxVideoSlots: 25,
  maxAudioSlots: 5,
  maxMessageBytes: 64 * 1024,
  maxPeerIdLength: 128,
  /** Records in one `control` message. */
  maxControlRecords: 100,
} as const;

/** Parses and checks one control message from a participant; null when it is not one. */
export function parseRelayClientMessage(text: string): RelayClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  const str = (v: unknown, max = RELAY_LIMITS.maxMessageBytes) => typeof v === 'string' && v.length <= max;
  const int = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  switch (o.type) {
    case 'hello':
      return o.v === RELAY_PROTOCOL_VERSION &&
        str(o.room, 256) &&
        str(o.peer, RELAY_LIMITS.maxPeerIdLength) &&
        str(o.key, 256) &&
        str(o.proof, 256) &&
        str(o.gate, 64) &&
        str(o.access, 64)
        ? (o as RelayClientMessage)
        : null;
    case 'control':
      return Array.isArray(o.records) && o.records.length <= RELAY_LIMITS.maxControlRecords ? { type: 'control', records: o.records as unknown[] } : null;
    case 'connect': {
      const layout = o.layout as Record<string, unknown> | undefined;
      if (!str(o.sdp) || typeof layout !== 'object' || layout === null) return null;
      if (layout.audio !== undefined && !str(layout.audio, 32)) return null;
      if (layout.screen !== undefined && !str(layout.screen, 32)) return null;
      const video = layout.video as Record<string, unknown> | undefined;
      if (typeof video !== 'object' || video === null) return null;
      for (const [k, v] of Object.entries(video)) if (!(VIDEO_LAYERS as readonly string[]).includes(k) || !str(v, 32)) return null;
      const mids = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((m) => str(m, 32));
      if (!mids(layout.downVideo, RELAY_LIMITS.maxVideoSlots) || !mids(layout.downAudio, RELAY_LIMITS.maxAudioSlots)) return null;
      return o as RelayClientMessage;
    }
    case 'candidate':
      return (o.candidate === null || str(o.candidate, 1024)) && str(o.mid, 32) ? (o as RelayClientMessage) : null;
    case 'subscribe': {
      if (!int(o.tile, 0, RELAY_LIMITS.maxVideoSlots - 1) || !str(o.publisher, RELAY_LIMITS.maxPeerIdLength)) return null;
      if (o.layer !== 'none' && !(VIDEO_LAYERS as readonly unknown[]).includes(o.layer)) return null;
      // A screen has one layer: `high`.
      if (o.source === 'screen') return o.layer === 'high' || o.layer === 'none' ? (o as RelayClientMessage) : null;
      return o.source === undefined || o.source === 'camera' ? (o as RelayClientMessage) : null;
    }
    case 'pin':
      return o.publisher === null || str(o.publisher, RELAY_LIMITS.maxPeerIdLength) ? { type: 'pin', publisher: o.publisher as string | null } : null;
    case 'bye':
      return { type: 'bye' };
    default:
      return null;
  }
}
