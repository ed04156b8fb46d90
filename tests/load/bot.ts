import ndc, { type DataChannel, type PeerConnection, type Track } from 'node-datachannel';
import WebSocket from 'ws';
import { newSigningIdentity, type SigningIdentity } from '../../crdt/identity/host-identity';
import { peerIdForKey } from '../../crdt/identity/participant-identity';
import { relayAccessFor, type RelayAccess } from '../../crdt/identity/relay-access';
import { signRelayHello } from '../../crdt/identity/relay-proof';
import { decodeRoomFrame, ROOM_CHANNEL_LABEL, type RoomFrame } from '../../crdt/protocol/room-message-frame';
import { RELAY_PROTOCOL_VERSION, VIDEO_LAYERS, type RelayClientMessage, type RelayServerMessage, type UpVideo, type VideoLayer, type WantedLayer } from '../../crdt/protocol/relay-wire';
import { gatheredDescription } from '../../relay/sfu/peer';
import { readRtcpFeedback } from '../../relay/sfu/rtcp';
import { AUDIO_LEVEL_URI } from '../../relay/sfu/sdp';
import { buildPli, EXT_AUDIO_LEVEL } from './packet-builder';
import { OPUS_PT, playersFor, VP8_PT, type StreamPlayer } from './replayer';
import type { Recording } from './recording';
import type { LiveFrameSealer } from './sealed-recording';
import { SlotVerifier } from './verifier';
import { until } from '../support/wait';

/** A participant key, as a browser tab makes one, and the peer id it hashes to. */
export interface BotIdentity {
  signing: SigningIdentity;
  id: string;
}

export async function newBotIdentity(): Promise<BotIdentity> {
  const signing = await newSigningIdentity();
  return { signing, id: await peerIdForKey(signing.publicKey) };
}

export interface BotOptions {
  controlUrl: string;
  identity: BotIdentity;
  room: string;
  index: number;
  recording: Recording;
  /** Seals each frame as it is sent (a bot in an end-to-end encrypted room). */
  sealer?: LiveFrameSealer;
  videoSlots: number;
  audioSlots: number;
  /** RFC 6464 level the bot's voice carries: 0 loudest … 127 silence. */
  audioLevel: number;
  random: () => number;
  /**
   * Which ICE candidate lines survive in the offer sent and the answer received (default all):
   * a test can leave one path between bot and relay, as a NAT would.
   */
  keepCandidate?: (line: string) => boolean;
  /** Open the room-state data channel too, as a browser does (frames go to `onRoomFrame`). */
  roomChannel?: boolean;
  /** What the hello shows of the room link (default: the link of one fixed secret, the same for every bot). */
  access?: RelayAccess;
}

/** Every bot holds the same made-up link unless told otherwise, so bots of one room share its gate. */
let botAccess: Promise<RelayAccess> | undefined;
const defaultAccess = () => (botAccess ??= relayAccessFor('Ym90cy1ob2xkLXRoaXMtbGluaw', 'bots-room'));

const START_TIMEOUT_MS = 8_000;
const START_ATTEMPTS = 4;
const UP_MIDS = { audio: 'a', low: 'l', mid: 'm', high: 'h' } as const;

/**
 * A synthetic participant: publishes the recorded Opus + three VP8 layers (pausing what the
 * relay says nobody watches, restarting a layer at its keyframe when asked for one), and
 * checks every down slot with a SlotVerifier.
 */
export class Bot {
  readonly id: string;
  readonly video: SlotVerifier[];
  readonly audio: SlotVerifier[];
  readonly messages: RelayServerMessage[] = [];
  paused = new Set<VideoLayer>(VIDEO_LAYERS);
  speakers: (string | null)[] = [];
  keyframeRequests = 0;
  /** Connection attempts that had to be repeated (see start()). */
  retries = 0;
  /** Each room frame the relay delivers (with `roomChannel`). */
  onRoomFrame: (frame: RoomFrame) => void = () => {};
  private room: DataChannel | null = null;
  private ws: WebSocket | undefined;
  private closed = false;
  private pc: PeerConnection | null = null;
  /**
   * Every node-datachannel object made for the connection (media descriptions too): if one
   * is garbage-collected, its native destructor closes the whole connection.
   */
  private readonly keep: unknown[] = [];
  private readonly players: StreamPlayer[];
  private readonly upTracks: (Track | null)[] = [null, null, null, null];
  /** Held so the wrappers are not garbage-collected: node-datachannel drops a collected track's callbacks. */
  private readonly downTracks: Track[] = [];
  private readonly scratch = Buffer.alloc(1_500);

  constructor(private readonly o: BotOptions) {
    this.id = o.identity.id;
    const ssrc = () => (Math.floor(o.random() * 0xfffffffe) + 1) >>> 0;
    this.players = playersFor(o.recording, [ssrc(), ssrc(), ssrc(), ssrc()], o.random, o.sealer);
    for (const p of this.players.slice(1)) p.paused = true;
    this.video = Array.from({ length: o.videoSlots }, () => new SlotVerifier(true));
    this.audio = Array.from({ length: o.audioSlots }, () => new SlotVerifier(false));
  }

  /**
   * Connects, publishes and subscribes; resolves once the connection and every track is open.
   * Retries: libdatachannel as the *offerer* sometimes refuses a well-formed answer ("Got a
   * remote candidate without ICE transport") when many connections handshake at once on one
   * machine. Browsers are the offerers in production and the relay only answers, so only the
   * bots need this.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt();
      } catch (err) {
        this.close();
        if (attempt === START_ATTEMPTS) throw err;
        this.closed = false;
        this.retries++;
      }
    }
  }

  private async attempt(): Promise<void> {
    this.upTracks.fill(null);
    this.downTracks.length = 0;
    this.keep.length = 0;
    const ws = (this.ws = new WebSocket(this.o.controlUrl));
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let answered!: (sdp: string) => void;
    let welcomed!: (nonce: string) => void;
    const answer = new Promise<string>((r) => (answered = r));
    const welcome = new Promise<string>((r) => (welcomed = r));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as RelayServerMessage;
      this.messages.push(m);
      if (m.type === 'welcome') welcomed(m.nonce);
      else if (m.type === 'answer') answered(m.sdp);
      else if (m.type === 'pause') this.setPaused(m.layers);
      else if (m.type === 'speakers') this.speakers = m.slots;
      else if (m.type === 'error') console.error(`[${this.id}] relay: ${m.reason}`);
      else if (m.type === 'refused') console.error(`[${this.id}] relay refused: ${m.reason}`);
    });
    // After the listener: ws may emit the relay's welcome in the same tick as 'open'.
    await opened;
    const hello = async () => {
      const binding = { nonce: await welcome, room: this.o.room, peer: this.id };
      const { signing } = this.o.identity;
      const access = this.o.access ?? (await defaultAccess());
      const shown = { gate: access.gate, access: await access.prove(binding) };
      this.send({ type: 'hello', v: RELAY_PROTOCOL_VERSION, ...binding, key: signing.publicKey, proof: await signRelayHello(signing, binding), ...shown });
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.id}: connection not open after ${START_TIMEOUT_MS} ms (${this.describe()})`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([hello().then(() => this.connect(answer)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  subscribe(tile: number, publisher: string, layer: WantedLayer): void {
    this.send({ type: 'subscribe', tile, publisher, layer });
  }

  /**
   * Asks the relay for a keyframe of video slot `tile` (an RTCP PLI, as a decoder that lost the
   * picture sends); false before the relay answered.
   */
  requestKeyframe(tile: number): boolean {
    const answer = this.messages.findLast((m) => m.type === 'answer');
    const ssrc = answer?.type === 'answer' ? answer.video[tile]?.ssrc : undefined;
    const track = this.downTracks[tile];
    if (ssrc === undefined || !track?.isOpen()) return false;
    track.sendMessageBinary(buildPli(1, ssrc));
    return true;
  }

  /** Sends every recorded packet now due. Called by the harness every few ms. */
  pump(nowMs: number): void {
    for (let s = 0; s < 4; s++) {
      const track = this.upTracks[s];
      if (!track?.isOpen()) continue;
      this.players[s]!.pump(nowMs, this.scratch, this.o.index, this.o.audioLevel, (packet) => track.sendMessageBinary(packet));
    }
  }

  /** Sends one room frame (crdt/protocol/room-message-frame.ts) on the room data channel. */
  sendRoom(frame: Uint8Array): void {
    this.room?.sendMessageBinary(frame);
  }

  packetsSent(): number {
    return this.players.reduce((n, p) => n + p.packetsSent, 0);
  }

  bytesSent(): number {
    return this.players.reduce((n, p) => n + p.bytesSent, 0);
  }

  close(): void {
    this.closed = true;
    if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: 'bye' });
    this.ws?.close();
    // Tracks first: pc.close() leaves their native callbacks registered, holding the bot.
    for (const track of [...this.upTracks, ...this.downTracks]) track?.close();
    this.room?.close();
    this.pc?.close();
  }

  /** Connection states, for error messages. */
  describe(): string {
    const open = (ts: (Track | null)[]) => ts.map((t) => (t?.isOpen() ? 'o' : '-')).join('');
    return `${this.pc?.state() ?? 'no connection'}, up tracks ${open(this.upTracks)}, down tracks ${open(this.downTracks)}`;
  }

  private send(m: RelayClientMessage): void {
    this.ws?.send(JSON.stringify(m));
  }

  /** A bot publishes no screen, so the relay names camera layers only. */
  private setPaused(layers: UpVideo[]): void {
    const now = performance.now();
    VIDEO_LAYERS.forEach((layer, i) => {
      const player = this.players[i + 1]!;
      const paused = layers.includes(layer);
      if (player.paused && !paused) player.restart(now); // an encoder resumes with a keyframe
      player.paused = paused;
    });
    this.paused = new Set(VIDEO_LAYERS.filter((l) => layers.includes(l)));
  }

  private async connect(answer: Promise<string>): Promise<void> {
    const pc = (this.pc = new ndc.PeerConnection(this.id, { iceServers: [], bindAddress: '127.0.0.1' }));
    const audio = new ndc.Audio(UP_MIDS.audio, 'SendOnly');
    audio.addOpusCodec(OPUS_PT);
    audio.addSSRC(this.players[0]!.ssrc, this.id, this.id, 'audio');
    audio.parseSdpLine(`a=extmap:${EXT_AUDIO_LEVEL} ${AUDIO_LEVEL_URI}`);
    this.upTracks[0] = pc.addTrack(audio);
    this.keep.push(audio);
    VIDEO_LAYERS.forEach((layer, i) => {
      const v = new ndc.Video(UP_MIDS[layer], 'SendOnly');
      v.addVP8Codec(VP8_PT);
      v.addSSRC(this.players[i + 1]!.ssrc, this.id, this.id, `video-${layer}`);
      const track = pc.addTrack(v);
      this.keep.push(v);
      this.upTracks[i + 1] = track;
      track.onMessage((buf) =>
        readRtcpFeedback(buf, {
          keyframe: () => {
            this.keyframeRequests++;
            this.players[i + 1]!.restart(performance.now());
          },
          nack: () => {},
        }),
      );
    });
    const downVideo = this.video.map((_, i) => `v${i}`);
    const downAudio = this.audio.map((_, i) => `a${i}`);
    const addDown = (mid: string, verifier: SlotVerifier) => {
      let description;
      if (mid[0] === 'v') {
        description = new ndc.Video(mid, 'RecvOnly');
        description.addVP8Codec(VP8_PT);
      } else {
        description = new ndc.Audio(mid, 'RecvOnly');
        description.addOpusCodec(OPUS_PT);
      }
      const track = pc.addTrack(description);
      this.keep.push(description);
      track.onMessage((buf) => verifier.receive(buf, performance.now()));
      this.downTracks.push(track);
    };
    downVideo.forEach((mid, i) => addDown(mid, this.video[i]!));
    downAudio.forEach((mid, i) => addDown(mid, this.audio[i]!));
    const room = this.o.roomChannel ? (this.room = pc.createDataChannel(ROOM_CHANNEL_LABEL)) : null;
    room?.onMessage((msg) => {
      const frame = typeof msg === 'string' ? null : decodeRoomFrame(new Uint8Array(msg as ArrayBuffer));
      if (frame) this.onRoomFrame(frame);
    });
    pc.setLocalDescription('offer');
    const sdp = this.filterCandidates(await gatheredDescription(pc));
    this.send({
      type: 'connect',
      sdp,
      layout: { audio: UP_MIDS.audio, video: { low: UP_MIDS.low, mid: UP_MIDS.mid, high: UP_MIDS.high }, downVideo, downAudio },
    });
    const answerSdp = this.filterCandidates(await answer);
    try {
      pc.setRemoteDescription(answerSdp, 'answer');
    } catch (err) {
      throw new Error(`${this.id}: ${(err as Error).message} (${this.describe()}, ice ${pc.iceState()}, signaling ${pc.signalingState()})`);
    }
    await until(() => this.closed || ([...this.upTracks, ...this.downTracks].every((t) => t?.isOpen()) && (!room || room.isOpen())), 'tracks open', Infinity);
  }

  private filterCandidates(sdp: string): string {
    const keep = this.o.keepCandidate;
    if (!keep) return sdp;
    return sdp
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') || keep(line))
      .join('\r\n');
  }
}
