import { VIDEO_LAYERS, type UpVideo, type VideoSource, type WantedLayer } from '../../crdt/protocol/relay-wire';
import { audioLevel, LoudestSelector } from './audio-level';
import {
  DOWN_OPUS_PAYLOAD_TYPE,
  DOWN_VP8_PAYLOAD_TYPE,
  LAYER_NONE,
  LAYER_SCREEN,
  type ControlSink,
  type DownStreams,
  type DownTrack,
  type LayerIndex,
  type UpStreams,
  type UpTrack,
  type UpVideoIndex,
} from './interfaces';
import { TileKeyframeBackoff, UpKeyframeRequests } from './keyframe-requests';
import { LayerSelector } from './layer-selector';
import { PacketCache } from './packet-cache';
import { RoomMessageHub } from './room-messages';
import { StreamRewriter } from './rewriter';
import { readRtcpFeedback } from './rtcp';
import { blankRtpExtensions, isRtp, rtpPayloadEnd, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpTimestamp, seqNewer } from './rtp';
import type { ForwardingStats } from './stats';
import { isVp8KeyframeStart } from './vp8';

/** A tile still waiting for the keyframe of a new stream asks again after this long. */
const KEYFRAME_RETRY_MS = 1_000;
const CAMERA_LAYERS = 0b111;
const SCREEN_BIT = 1 << LAYER_SCREEN;
/** Up video streams by index, as named in `pause`. */
const UP_VIDEO: readonly UpVideo[] = [...VIDEO_LAYERS, 'screen'];
/** Source ids per participant: base + UpVideoIndex for video, base + AUDIO_SOURCE for audio. */
const AUDIO_SOURCE = 4;
const SOURCES_PER_PARTICIPANT = 5;

export const layerIndex = (layer: WantedLayer, source: VideoSource = 'camera'): LayerIndex =>
  layer === 'none' ? LAYER_NONE : source === 'screen' ? LAYER_SCREEN : (VIDEO_LAYERS.indexOf(layer) as LayerIndex);

/** One video slot of a subscriber: which publisher it shows, at which layer, as one SSRC. */
class Tile {
  publisher: Participant | null = null;
  selector = new LayerSelector();
  /** How often the subscriber's own keyframe requests for this tile are passed on. */
  readonly keyframeBackoff = new TileKeyframeBackoff();
  constructor(
    readonly index: number,
    readonly down: DownTrack,
    readonly rewriter: StreamRewriter,
  ) {}
}

/** One audio slot of a subscriber: the voice of one of the loudest speakers. */
class AudioSlot {
  speaker: Participant | null = null;
  constructor(
    readonly down: DownTrack,
    readonly rewriter: StreamRewriter,
  ) {}
}

export class Participant {
  up: UpStreams | null = null;
  /** Down side: this participant's slots. */
  tiles: Tile[] = [];
  audioSlots: AudioSlot[] = [];
  /** Up side: the tiles of others that show this publisher, and the audio slots carrying its voice. */
  watchers: Tile[] = [];
  audioTargets: AudioSlot[] = [];
  /** Indexed by UpVideoIndex (camera layers, then the screen). */
  readonly caches: (PacketCache | null)[] = [null, null, null, null];
  /** Keyframe requests to this publisher, per up video stream (UpVideoIndex), coalesced. */
  readonly keyframes = new UpKeyframeRequests(LAYER_SCREEN + 1);
  /** Source ids of this participant's up streams: base + UpVideoIndex (0–3), base + 4 for audio. Never reused in the room. */
  sourceBase = -1;
  /** Bit per UpVideoIndex: paused as last told to the publisher (-1: not told yet). */
  pausedSent = -1;
  speakersSent = '';
  /** Whom this subscriber always hears (`pin`), when they speak. */
  pinned: string | null = null;
  constructor(
    readonly id: string,
    /** Small integer, unique in the room while the participant is in it (speaker and source ids). */
    readonly index: number,
    readonly control: ControlSink,
  ) {}
}

export interface RoomOptions {
  /** Keep recent up packets to answer NACKs (one copy per packet). */
  nackCache?: boolean;
  /** First sequence numbers of down streams; random unless a test fixes them. */
  random?: () => number;
}

/**
 * The forwarding core of one room: who publishes, who shows whom at which layer, who hears
 * whom. Up packets arrive in `onUpVideo`/`onUpAudio` and leave through the subscribers'
 * DownTracks, rewritten in place; `tick` (a few times a second) ranks speakers, repeats
 * unanswered keyframe requests, and tells publishers which layers to pause.
 */
export class Room {
  readonly participants = new Map<string, Participant>();
  readonly loudest = new LoudestSelector();
  /** Room state (sealed Yjs messages) between the participants' data channels. */
  readonly messages: RoomMessageHub;
  private readonly freeIndexes: number[] = [];
  private nextIndex = 0;
  private nextSourceBase = 0;
  // A Buffer: node-datachannel sends Buffers.
  private readonly scratch = Buffer.alloc(1_500);
  private readonly random: () => number;

  constructor(
    private readonly stats: ForwardingStats,
    private readonly opts: RoomOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.messages = new RoomMessageHub(stats);
  }

  join(id: string, control: ControlSink): Participant {
    if (this.participants.has(id)) throw new Error(`peer ${id} is already in the room`);
    const p = new Participant(id, this.freeIndexes.pop() ?? this.nextIndex++, control);
    this.participants.set(id, p);
    return p;
  }

  leave(p: Participant): void {
    if (this.participants.get(p.id) !== p) return;
    this.participants.delete(p.id);
    for (const tile of p.tiles) this.unwatch(tile);
    for (const tile of [...p.watchers]) {
      this.unwatch(tile);
      tile.selector = new LayerSelector();
    }
    for (const slot of p.audioTargets) slot.speaker = null;
    p.audioTargets = [];
    // Its own audio slots leave every speaker's target list now, not at the next tick.
    for (const other of this.participants.values()) other.audioTargets = other.audioTargets.filter((slot) => !p.audioSlots.includes(slot));
    this.loudest.remove(p.index);
    this.freeIndexes.push(p.index);
    if (p.up) this.announcePublishers();
  }

  publish(p: Participant, up: UpStreams): void {
    p.up = up;
    p.sourceBase = this.nextSourceBase;
    this.nextSourceBase += SOURCES_PER_PARTICIPANT;
    if (this.opts.nackCache ?? true) for (let l = 0; l <= LAYER_SCREEN; l++) if (up.video[l]) p.caches[l] = new PacketCache();
    this.loudest.add(p.index);
    this.updatePause(p);
    this.announcePublishers();
  }

  /** Tells everyone who publishes (a participant learns of publishers it has no other way to know). */
  private announcePublishers(): void {
    const peers = [...this.participants.values()].filter((q) => q.up).map((q) => q.id);
    for (const q of this.participants.values()) q.control.send({ type: 'publishers', peers });
  }

  attachDown(p: Participant, down: DownStreams): void {
    const firstSeq = () => Math.floor(this.random() * 0x10000);
    p.tiles = down.video.map((s, i) => new Tile(i, s.track, new StreamRewriter(s.ssrc, s.payloadType ?? DOWN_VP8_PAYLOAD_TYPE, 90_000, firstSeq())));
    p.audioSlots = down.audio.map((s) => new AudioSlot(s.track, new StreamRewriter(s.ssrc, s.payloadType ?? DOWN_OPUS_PAYLOAD_TYPE, 48_000, firstSeq())));
  }

  /**
   * `sub` wants `publisherId` at `layer` in its video slot `tileIndex`: its camera, or with
   * `source` 'screen' the screen it shares. Returns an error text or null.
   */
  subscribe(sub: Participant, tileIndex: number, publisherId: string, layer: WantedLayer, nowMs: number, source: VideoSource = 'camera'): string | null {
    const tile = sub.tiles[tileIndex];
    if (!tile) return `no video slot ${tileIndex}`;
    const pub = layer === 'none' ? null : (this.participants.get(publisherId) ?? null);
    if (layer !== 'none' && !pub) return `no publisher ${publisherId}`;
    if (pub === sub) return 'cannot subscribe to yourself';
    if (tile.publisher !== pub) {
      const old = tile.publisher;
      this.unwatch(tile);
      tile.selector = new LayerSelector();
      if (pub) {
        tile.publisher = pub;
        pub.watchers.push(tile);
      }
      if (old) this.updatePause(old);
    }
    if (pub && tile.selector.want(layerIndex(layer, source))) {
      tile.keyframeBackoff.reset();
      this.askKeyframe(tile, nowMs);
    }
    if (pub) this.updatePause(pub);
    return null;
  }

  /** Hot path: one RTP packet of up video stream `layer` (a camera layer, or LAYER_SCREEN) from `pub`. */
  onUpVideo(pub: Participant, layer: UpVideoIndex, buf: Uint8Array, nowMs: number): void {
    const stats = this.stats;
    stats.packetsIn++;
    stats.bytesIn += buf.length;
    if (!pub.up || !isRtp(buf) || rtpPayloadType(buf) !== pub.up.videoPayloadType) {
      stats.packetsDropped++;
      return;
    }
    const at = rtpPayloadOffset(buf);
    const end = rtpPayloadEnd(buf);
    if (at < 0 || end <= at) {
      stats.packetsDropped++;
      return;
    }
    blankRtpExtensions(buf);
    pub.caches[layer]?.store(buf);
    const keyframe = isVp8KeyframeStart(buf, at, end);
    if (keyframe) pub.keyframes.keyframeSeen(layer);
    const sourceId = pub.sourceBase + layer;
    const inSeq = rtpSeq(buf);
    const inTs = rtpTimestamp(buf);
    const watchers = pub.watchers;
    const sentBefore = stats.packetsOut;
    for (let i = 0; i < watchers.length; i++) {
      const tile = watchers[i]!;
      if (!tile.selector.accept(layer, keyframe) || !tile.down.isOpen()) continue;
      tile.rewriter.rewrite(buf, sourceId, inSeq, inTs, nowMs);
      tile.down.send(buf);
      stats.packetsOut++;
      stats.bytesOut += buf.length;
    }
    if (layer === LAYER_SCREEN) {
      stats.screenPacketsIn++;
      stats.screenPacketsOut += stats.packetsOut - sentBefore;
    }
  }

  /** Hot path: one Opus RTP packet from `pub`. */
  onUpAudio(pub: Participant, buf: Uint8Array, nowMs: number): void {
    const stats = this.stats;
    stats.packetsIn++;
    stats.bytesIn += buf.length;
    const up = pub.up;
    if (!up || !isRtp(buf) || rtpPayloadType(buf) !== up.audioPayloadType) {
      stats.packetsDropped++;
      return;
    }
    this.loudest.observe(pub.index, audioLevel(buf, up.audioLevelExtensionId));
    blankRtpExtensions(buf);
    const targets = pub.audioTargets;
    const sourceId = pub.sourceBase + AUDIO_SOURCE;
    const inSeq = rtpSeq(buf);
    const inTs = rtpTimestamp(buf);
    for (let i = 0; i < targets.length; i++) {
      const slot = targets[i]!;
      if (!slot.down.isOpen()) continue;
      slot.rewriter.rewrite(buf, sourceId, inSeq, inTs, nowMs);
      slot.down.send(buf);
      stats.packetsOut++;
      stats.bytesOut += buf.length;
    }
  }

  /** RTCP a subscriber sent back on its down connection: keyframe requests go upstream, NACKs are answered from the cache. */
  onDownRtcp(sub: Participant, buf: Uint8Array, nowMs: number): void {
    readRtcpFeedback(buf, {
      keyframe: (ssrc) => {
        const tile = sub.tiles.find((t) => t.rewriter.ssrc === ssrc);
        if (!tile) return;
        this.stats.keyframeRequestsIn++;
        if (tile.keyframeBackoff.allow(nowMs)) this.askKeyframe(tile, nowMs, true);
      },
      nack: (ssrc, seq) => {
        const tile = sub.tiles.find((t) => t.rewriter.ssrc === ssrc);
        if (tile) this.answerNack(tile, seq, nowMs);
      },
    });
  }

  /** A few times a second: speakers, keyframe retries, pauses. */
  tick(nowMs: number): void {
    this.assignSpeakers();
    for (const p of this.participants.values()) {
      // Requests held back by the window go now, unless a keyframe came meanwhile.
      for (let l = 0; l <= LAYER_SCREEN; l++) {
        const track = p.up?.video[l];
        if (track?.isOpen() && p.keyframes.due(l, nowMs)) this.requestKeyframe(track);
      }
      for (const tile of p.tiles) {
        if (tile.selector.pending && tile.publisher && nowMs - tile.selector.keyframeAskedAtMs > KEYFRAME_RETRY_MS) {
          this.askKeyframe(tile, nowMs);
        }
      }
      if (p.up) this.updatePause(p);
    }
  }

  /** An up layer opened: tiles waiting for it get their keyframe request now. */
  upOpened(pub: Participant, nowMs: number): void {
    for (const tile of pub.watchers) if (tile.selector.pending) this.askKeyframe(tile, nowMs);
  }

  private unwatch(tile: Tile): void {
    const pub = tile.publisher;
    if (!pub) return;
    const i = pub.watchers.indexOf(tile);
    if (i >= 0) pub.watchers.splice(i, 1);
    tile.publisher = null;
  }

  private askKeyframe(tile: Tile, nowMs: number, forCurrent = false): void {
    const pub = tile.publisher;
    const layer = forCurrent ? tile.selector.current : tile.selector.wanted;
    if (!pub?.up || layer === LAYER_NONE) return;
    const track = pub.up.video[layer];
    if (!forCurrent) tile.selector.keyframeAskedAtMs = nowMs;
    // Never before the track is open: libdatachannel aborts the process (design.md).
    if (!track || !track.isOpen()) return;
    if (pub.keyframes.want(layer, nowMs)) this.requestKeyframe(track);
    else this.stats.keyframeRequestsCoalesced++;
  }

  private requestKeyframe(track: UpTrack): void {
    this.stats.keyframeRequests++;
    track.requestKeyframe();
  }

  private answerNack(tile: Tile, downSeq: number, nowMs: number): void {
    const layer = tile.selector.current;
    const cache = tile.publisher && layer !== LAYER_NONE ? tile.publisher.caches[layer] : null;
    // Only packets sent since the current source began map back through the current offset.
    if (!cache || seqNewer(tile.rewriter.sourceStartSeq, downSeq)) return;
    const len = cache.copy(tile.rewriter.upSeqOf(downSeq), this.scratch);
    if (len === 0 || !tile.down.isOpen()) {
      this.stats.nacksMissed++;
      return;
    }
    const packet = this.scratch.subarray(0, len);
    tile.rewriter.rewrite(packet, tile.publisher!.sourceBase + layer, rtpSeq(packet), rtpTimestamp(packet), nowMs);
    tile.down.send(packet);
    this.stats.nacksAnswered++;
  }

  private updatePause(pub: Participant): void {
    if (!pub.up) return;
    let watched = 0;
    for (const tile of pub.watchers) {
      if (tile.selector.current !== LAYER_NONE) watched |= 1 << tile.selector.current;
      if (tile.selector.wanted !== LAYER_NONE) watched |= 1 << tile.selector.wanted;
    }
    // The screen is named only to a publisher whose layout has one (older clients know no screen).
    const paused = (pub.up.video[LAYER_SCREEN] ? CAMERA_LAYERS | SCREEN_BIT : CAMERA_LAYERS) & ~watched;
    if (paused === pub.pausedSent) return;
    pub.pausedSent = paused;
    pub.control.send({ type: 'pause', layers: UP_VIDEO.filter((_, i) => paused & (1 << i)) });
  }

  private assignSpeakers(): void {
    this.loudest.rank();
    const speakerAt = new Map<number, Participant>();
    for (const p of this.participants.values()) if (p.up?.audio) speakerAt.set(p.index, p);
    for (const p of this.participants.values()) p.audioTargets = [];
    for (const sub of this.participants.values()) {
      if (sub.audioSlots.length === 0) continue;
      const wanted = this.loudest.loudestFor(sub.index, sub.audioSlots.length).map((i) => speakerAt.get(i)).filter((s) => s !== undefined);
      const pinned = sub.pinned === null ? undefined : this.participants.get(sub.pinned);
      // A pinned voice takes the last slot from the quietest of the loudest; silent, it takes none.
      if (pinned?.up?.audio && pinned !== sub && !wanted.includes(pinned) && this.loudest.ranking.includes(pinned.index)) {
        wanted.splice(sub.audioSlots.length - 1, 1, pinned);
      }
      for (const slot of sub.audioSlots) if (slot.speaker && !wanted.includes(slot.speaker)) slot.speaker = null;
      for (const speaker of wanted) {
        if (sub.audioSlots.some((s) => s.speaker === speaker)) continue;
        const free = sub.audioSlots.find((s) => s.speaker === null);
        if (free) free.speaker = speaker;
      }
      for (const slot of sub.audioSlots) slot.speaker?.audioTargets.push(slot);
      const report = sub.audioSlots.map((s) => s.speaker?.id ?? '').join('\n');
      if (report !== sub.speakersSent) {
        sub.speakersSent = report;
        sub.control.send({ type: 'speakers', slots: sub.audioSlots.map((s) => s.speaker?.id ?? null) });
      }
    }
  }
}
