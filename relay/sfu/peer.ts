import ndc, { type DataChannel, type PeerConnection, type Track } from 'node-datachannel';
import { ROOM_CHANNEL_LABEL } from '../../crdt/protocol/room-message-frame';
import { VIDEO_LAYERS, type ConnectLayout, type DownSlot, type VideoLayer } from '../../crdt/protocol/relay-wire';
import {
  DOWN_OPUS_PAYLOAD_TYPE,
  DOWN_VP8_PAYLOAD_TYPE,
  LAYER_SCREEN,
  type DownStreams,
  type DownTrack,
  type UpStreams,
  type UpTrack,
  type UpVideoIndex,
} from './interfaces';
import { advertisePublicAddress } from './public-address';
import type { RoomChannel } from './room-messages';
import { AUDIO_LEVEL_URI, parseSdpMedia, withOpusDtx } from './sdp';

/**
 * node-datachannel glue: one connection per participant. The participant offers send-only
 * audio + video layers (up) and receive-only slots (down); the relay adds a send-only track with
 * its own SSRC for every down slot before answering, so the answer lists those SSRCs and
 * libdatachannel on either side routes RTP by SSRC. The relay answers, so it is the DTLS client
 * and holds the remote fingerprint before any handshake (as offerer, a peer's DTLS hello could
 * beat the answer and fail verification — seen here under load).
 */

export interface PeerOptions {
  bindAddress?: string;
  /** One UDP port for every connection (ICE UDP mux) instead of a port per connection. */
  udpMuxPort?: number;
  /** The address browsers reach the relay at, when it is behind a 1:1 NAT (--public-ip). */
  publicIp?: string;
}

/** Resolves with the full local description (all candidates) once gathering completes. */
export function gatheredDescription(pc: PeerConnection): Promise<string> {
  return new Promise((resolve) => {
    const done = () => resolve(pc.localDescription()!.sdp);
    if (pc.gatheringState() === 'complete' && pc.localDescription()) return done();
    pc.onGatheringStateChange((state) => state === 'complete' && done());
  });
}

/**
 * A JavaScript exception thrown inside a node-datachannel callback ends the process
 * (std::terminate), so nothing the media path calls may throw: libdatachannel's errors (a track
 * closing under us) are counted and dropped.
 */
export const nativeErrors = { count: 0, last: '' };

/** Connections made and not yet closed, for /stats: a soak checks that none leak. */
const liveConnections = new Set<PeerConnection>();
export function openConnectionCount(): number {
  for (const pc of liveConnections) if (pc.state() === 'closed') liveConnections.delete(pc);
  return liveConnections.size;
}
const noted = (err: unknown) => {
  nativeErrors.count++;
  nativeErrors.last = String(err);
};

const upTrack = (track: Track): UpTrack => ({
  requestKeyframe: () => {
    try {
      track.requestKeyframe();
    } catch (err) {
      noted(err);
    }
  },
  isOpen: () => track.isOpen(),
});

/** Wraps a native callback so a bug in it is counted instead of aborting the process. */
function guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (err) {
      noted(err);
    }
  };
}

/**
 * node-datachannel frees a wrapper's native callback slot and forgets the wrapper only when its
 * close event reaches JavaScript, and it forwards that event only if a handler is registered:
 * without one, every PeerConnection and Track ever made stays in a native registry with a
 * thread-safe function (seen in the soak: ~100 KB retained per join, RSS +19–28% in 10 min).
 */
function releaseWhenClosed(obj: PeerConnection | Track | DataChannel): void {
  if ('onStateChange' in obj) obj.onStateChange(() => {});
  else obj.onClosed(() => {});
}

export interface ConnectionHandlers {
  audio(buf: Buffer): void;
  /** A camera layer (0–2) or the screen (LAYER_SCREEN). */
  video(layer: UpVideoIndex, buf: Buffer): void;
  /** RTCP a subscriber sent about a down slot (receiver reports, PLI, NACK). */
  downRtcp(buf: Buffer): void;
  opened(): void;
  /** The participant's room-state data channel opened: what to do with each frame, and when it closes. */
  roomChannel(channel: RoomChannel): { message(frame: Buffer): void; closed(): void };
}

export interface Connection {
  pc: PeerConnection;
  up: UpStreams;
  down: DownStreams;
  answerSdp: string;
  video: DownSlot[];
  audio: DownSlot[];
  /**
   * Every node-datachannel object made for the connection (tracks, media descriptions, RTCP
   * sessions): hold them as long as `pc`. A collected wrapper's native destructor closes the
   * whole connection (seen here: a forced GC closed fresh connections).
   */
  keep: unknown[];
  /**
   * Closes every track, then the connection. pc.close() alone leaves each track's native
   * callbacks registered, and they hold the track, the room's participant and its control
   * socket: a whole session leaked per departed participant (seen in the soak).
   */
  close(): void;
}

/** Answers a participant's `connect` offer. */
export async function answerConnection(
  name: string,
  offerSdp: string,
  layout: ConnectLayout,
  handlers: ConnectionHandlers,
  opts: PeerOptions,
  random: () => number = Math.random,
): Promise<Connection> {
  const media = parseSdpMedia(offerSdp);
  const byMid = new Map(media.map((m) => [m.mid, m]));
  const audioMedia = layout.audio !== undefined ? byMid.get(layout.audio) : undefined;
  const layerOfMid = new Map<string, UpVideoIndex>();
  VIDEO_LAYERS.forEach((l: VideoLayer, i) => layout.video[l] !== undefined && layerOfMid.set(layout.video[l]!, i as UpVideoIndex));
  if (layout.screen !== undefined) layerOfMid.set(layout.screen, LAYER_SCREEN);
  const videoMedia = [...layerOfMid.keys()].map((mid) => byMid.get(mid)).find((m) => m);
  for (const mid of [...layout.downVideo, ...layout.downAudio]) if (!byMid.has(mid)) throw new Error(`no m-line with mid ${mid}`);

  const up: UpStreams = {
    audio: null,
    video: [null, null, null, null],
    audioPayloadType: audioMedia?.payloadTypes.get('opus') ?? -1,
    videoPayloadType: videoMedia?.payloadTypes.get('vp8') ?? -1,
    audioLevelExtensionId: audioMedia?.extensions.get(AUDIO_LEVEL_URI) ?? 0,
  };
  const pc = new ndc.PeerConnection(name, {
    iceServers: [],
    ...(opts.bindAddress ? { bindAddress: opts.bindAddress } : {}),
    ...(opts.udpMuxPort ? { enableIceUdpMux: true, portRangeBegin: opts.udpMuxPort, portRangeEnd: opts.udpMuxPort } : {}),
  });
  openConnectionCount(); // prunes closed ones, so the set stays small
  liveConnections.add(pc);
  releaseWhenClosed(pc);
  const keep: unknown[] = [];
  /** Tracks and data channels, closed before the connection. */
  const channels: (Track | DataChannel)[] = [];
  const close = () => {
    for (const channel of channels.splice(0)) {
      try {
        channel.close();
      } catch (err) {
        noted(err);
      }
    }
    pc.close();
  };

  // Down slots first, so the answer carries the relay's track descriptions (with SSRCs).
  const used = new Set<number>();
  const newSsrc = () => {
    let ssrc = 0;
    while (ssrc === 0 || used.has(ssrc)) ssrc = (Math.floor(random() * 0xfffffffe) + 1) >>> 0;
    used.add(ssrc);
    return ssrc;
  };
  const addDown = (kind: 'audio' | 'video', mid: string) => {
    const ssrc = newSsrc();
    const description = kind === 'video' ? new ndc.Video(mid, 'SendOnly') : new ndc.Audio(mid, 'SendOnly');
    if (description instanceof ndc.Video) description.addVP8Codec(DOWN_VP8_PAYLOAD_TYPE);
    else description.addOpusCodec(DOWN_OPUS_PAYLOAD_TYPE);
    description.addSSRC(ssrc, 'confab-relay', `relay-${mid}`, mid);
    const track = pc.addTrack(description);
    releaseWhenClosed(track);
    keep.push(description, track);
    channels.push(track);
    track.onMessage(guard(handlers.downRtcp));
    // The closures hold the Track: node-datachannel drops the callbacks of a collected wrapper.
    const down: DownTrack = {
      send: (p) => {
        try {
          track.sendMessageBinary(p as Buffer);
        } catch (err) {
          noted(err);
        }
      },
      isOpen: () => track.isOpen(),
    };
    return { slot: { mid, ssrc }, stream: { track: down, ssrc } };
  };
  const video = layout.downVideo.map((mid) => addDown('video', mid));
  const audio = layout.downAudio.map((mid) => addDown('audio', mid));

  pc.onTrack((track) => {
    const mid = track.mid();
    const layer = layerOfMid.get(mid);
    const isAudio = mid === layout.audio;
    if (layer === undefined && !isAudio) return;
    // Receiver reports, and what requestKeyframe() needs.
    releaseWhenClosed(track);
    const session = new ndc.RtcpReceivingSession();
    track.setMediaHandler(session);
    keep.push(track, session);
    channels.push(track);
    track.onOpen(guard(() => handlers.opened()));
    if (isAudio) {
      up.audio = upTrack(track);
      track.onMessage(guard(handlers.audio));
    } else {
      up.video[layer!] = upTrack(track);
      track.onMessage(guard((buf) => handlers.video(layer!, buf)));
    }
  });
  pc.onDataChannel((dc) => {
    keep.push(dc);
    channels.push(dc);
    if (dc.getLabel() !== ROOM_CHANNEL_LABEL) {
      releaseWhenClosed(dc);
      return dc.close();
    }
    const room = handlers.roomChannel({
      send: (frame) => {
        try {
          dc.sendMessageBinary(frame);
        } catch (err) {
          noted(err);
        }
      },
      bufferedAmount: () => dc.bufferedAmount(),
    });
    // Also what releaseWhenClosed registers: node-datachannel keeps one close callback.
    dc.onClosed(guard(() => room.closed()));
    dc.onMessage(
      guard((msg) => {
        if (typeof msg !== 'string') room.message(msg instanceof ArrayBuffer ? Buffer.from(msg) : msg);
      }),
    );
  });
  try {
    pc.setRemoteDescription(offerSdp, 'offer');
  } catch (err) {
    close(); // a malformed offer must not leave a connection behind
    throw err;
  }
  let answerSdp = await gatheredDescription(pc);
  if (opts.publicIp) answerSdp = advertisePublicAddress(answerSdp, opts.publicIp);
  if (layout.audio !== undefined && up.audioPayloadType >= 0) answerSdp = withOpusDtx(answerSdp, layout.audio, up.audioPayloadType);
  return {
    pc,
    up,
    down: { video: video.map((v) => v.stream), audio: audio.map((a) => a.stream) },
    answerSdp,
    video: video.map((v) => v.slot),
    audio: audio.map((a) => a.slot),
    keep,
    close,
  };
}
