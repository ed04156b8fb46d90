import {
  RELAY_LIMITS,
  RELAY_PROTOCOL_VERSION,
  VIDEO_LAYERS,
  type ConnectLayout,
  type RelayClientMessage,
  type RelayRefusal,
  type RelayServerMessage,
  type UpVideo,
  type VideoLayer,
  type VideoSource,
  type WantedLayer,
} from '../../../crdt/protocol/relay-wire';
import { ROOM_CHANNEL_LABEL } from '../../../crdt/protocol/room-message-frame';
import { tuneForScreen } from '../mesh/peer-link';
import type { MediaKind, RtpMedia } from '../media/media-kind';

/** Scale of each published layer (low, mid, high) against the camera's own size. */
const LAYER_SCALES: Record<VideoLayer, number> = { low: 4, mid: 2, high: 1 };
/**
 * A relay connection that stays `disconnected` this long counts as failed. Chromium says
 * `disconnected` a few seconds after the last packet and `failed` only much later, and a relay
 * host that freezes or drops off the network closes no socket to tell us sooner.
 */
const DISCONNECTED_GRACE_MS = 2_500;
/** Loopback and LAN gathering finish in milliseconds; past this the offer goes with what there is. */
const GATHERING_TIMEOUT_MS = 3_000;

/** WebSocket.OPEN */
const SOCKET_OPEN = 1;

export type RelayLinkState = 'connecting' | 'connected' | 'failed' | 'closed';

/** What binds a relay session to our participant key and lets the relay enforce the room's records. */
export interface RelayCredentials {
  /**
   * Our participant key and its signature over the relay's nonce, the room key and our peer id;
   * the room's gate and an HMAC over the same showing that we hold the link (crdt/identity/relay-access.ts).
   */
  prove(nonce: string, room: string, peer: string): Promise<{ key: string; proof: string; gate: string; access: string }>;
  /** The control records we hold now (the relay keeps only those that verify). */
  records(): readonly unknown[];
  /** Calls back whenever the records may have changed; returns a function that stops it. */
  onRecords(cb: () => void): () => void;
  /** The relay turned us away, with the records that show why (to check, not to trust). */
  refused(reason: RelayRefusal, records: unknown[]): void;
}

export interface RelayLinkOptions {
  /** The relay node's control socket, ws(s)://…/relay. */
  url: string;
  /** Opaque to the relay: a hash of the room id. */
  room: string;
  selfId: string;
  credentials: RelayCredentials;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  rtcConfig?: RTCConfiguration;
  /** The RTCPeerConnection and WebSocket classes (fakes in unit tests). */
  PeerConnection?: typeof RTCPeerConnection;
  WebSocketImpl?: typeof WebSocket;
  videoSlots: number;
  audioSlots: number;
  onPublishers(peers: string[]): void;
  onSpeakers(slots: (string | null)[]): void;
  onState(state: RelayLinkState): void;
  /** Every media transceiver, as it is made (end-to-end encryption attaches here). */
  protect?(t: RTCRtpTransceiver, media: RtpMedia): void;
}

/**
 * One participant's connection to a relay node (PROTOCOL.md, "Relay node media plane"): a
 * control WebSocket and one RTCPeerConnection that publishes audio and the camera as three
 * send-only VP8 transceivers at scales 4/2/1 (each lists its own a=ssrc, which is how the relay
 * routes them) plus one for the shared screen (full size, sending only while something is
 * shared and someone watches), and receives on fixed slots whose tracks never change: what a
 * video slot shows is chosen with `subscribe`, what an audio slot carries the relay says in
 * `speakers`.
 */
export class RelayLink {
  readonly pc: RTCPeerConnection;
  readonly videoReceivers: RTCRtpReceiver[];
  readonly audioReceivers: RTCRtpReceiver[];
  /** Room state through the relay (relay-room-channel.ts): made before the offer, so it is negotiated with the media. */
  readonly roomData: RTCDataChannel;
  private readonly audioSender: RTCRtpSender;
  private readonly videoSenders: RTCRtpSender[];
  private readonly screenSender: RTCRtpSender;
  /** The relay said in its welcome that it forwards shared screens (older relays do not). */
  forwardsScreens = false;
  private ws: WebSocket | null = null;
  private state: RelayLinkState = 'connecting';
  /** Subscriptions made before the relay answered: it has no slots of ours to fill until then. */
  private pending: RelayClientMessage[] | null = [];
  /** Encodings change only once the answer is applied (setParameters mid-negotiation can fail). */
  private negotiated!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.negotiated = resolve));
  /** Pause changes apply one after another, in the order the relay sent them. */
  private pausing: Promise<void> = Promise.resolve();
  /** Signatures of the control records the relay has from us. */
  private readonly recordsSent = new Set<string>();
  private stopRecords: (() => void) | null = null;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: RelayLinkOptions) {
    // max-bundle: one transport to gather and check, not one per m-line (there are 20+).
    const PeerConnection = opts.PeerConnection ?? RTCPeerConnection;
    const pc = (this.pc = new PeerConnection({ iceServers: [], ...opts.rtcConfig, bundlePolicy: 'max-bundle' }));
    const protect = (t: RTCRtpTransceiver, media: RtpMedia) => {
      opts.protect?.(t, media);
      return t;
    };
    this.audioSender = protect(pc.addTransceiver(opts.localTrack('audio') ?? 'audio', { direction: 'sendonly' }), 'audio').sender;
    this.videoSenders = VIDEO_LAYERS.map((layer) => {
      const t = pc.addTransceiver(opts.localTrack('video') ?? 'video', {
        direction: 'sendonly',
        // All start paused: the relay says which layers someone watches.
        sendEncodings: [{ scaleResolutionDownBy: LAYER_SCALES[layer], active: false }],
      });
      preferCodec(t, 'video/VP8');
      return protect(t, 'video').sender;
    });
    // One layer at full size, paused until the relay says someone watches the screen.
    const screen = pc.addTransceiver(opts.localTrack('screen') ?? 'video', { direction: 'sendonly', sendEncodings: [{ active: false }] });
    preferCodec(screen, 'video/VP8');
    this.screenSender = protect(screen, 'video').sender;
    this.videoReceivers = Array.from({ length: opts.videoSlots }, () => {
      const t = pc.addTransceiver('video', { direction: 'recvonly' });
      preferCodec(t, 'video/VP8');
      return protect(t, 'video').receiver;
    });
    this.audioReceivers = Array.from({ length: opts.audioSlots }, () => protect(pc.addTransceiver('audio', { direction: 'recvonly' }), 'audio').receiver);
    this.roomData = pc.createDataChannel(ROOM_CHANNEL_LABEL);
    pc.onconnectionstatechange = () => {
      console.info(`[confab] relay link: ${pc.connectionState}`);
      clearTimeout(this.disconnectedTimer);
      if (pc.connectionState === 'connected') this.setState('connected');
      else if (pc.connectionState === 'failed') this.setState('failed');
      else if (pc.connectionState === 'disconnected') {
        this.disconnectedTimer = setTimeout(() => {
          console.warn(`[confab] relay link: nothing from the relay for ${DISCONNECTED_GRACE_MS} ms after it went quiet`);
          this.setState('failed');
        }, DISCONNECTED_GRACE_MS);
      }
    };
  }

  /**
   * Opens the control socket, proves our key in hello, hands over the room's control records,
   * offers; resolves once the relay has answered.
   */
  async start(): Promise<void> {
    // The room in the URL lets a node of a cluster hand the socket to the node holding the room.
    const Socket = this.opts.WebSocketImpl ?? WebSocket;
    const ws = (this.ws = new Socket(`${this.opts.url}?room=${encodeURIComponent(this.opts.room)}`));
    let answered!: (m: Extract<RelayServerMessage, { type: 'answer' }>) => void;
    let welcomed!: (nonce: string) => void;
    let failed!: (err: Error) => void;
    const answer = new Promise<Extract<RelayServerMessage, { type: 'answer' }>>((resolve, reject) => {
      answered = resolve;
      failed = reject;
    });
    const welcome = new Promise<string>((resolve) => (welcomed = resolve));
    // Closed before we wait for the answer (say, while gathering): start() fails by another path.
    answer.catch(() => undefined);
    ws.onmessage = ({ data }) => {
      const m = parseServerMessage(data);
      if (!m) return;
      if (m.type === 'answer') answered(m);
      else if (m.type === 'welcome') {
        this.forwardsScreens = m.screen === true;
        welcomed(m.nonce);
      }
      else this.onMessage(m);
    };
    ws.onclose = () => {
      failed(new Error('the relay closed the control socket'));
      if (this.state !== 'closed') this.setState('failed');
    };
    const offered = (async () => {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await gathered(this.pc);
    })();
    offered.catch(() => undefined); // awaited below, unless the socket fails first
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot reach the relay at ${this.opts.url}`));
    });
    // A socket that closes first rejects `answer`, and so this.
    const nonce = await Promise.race([welcome, answer.then((): never => { throw new Error('the relay answered before its welcome'); })]);
    const shown = await this.opts.credentials.prove(nonce, this.opts.room, this.opts.selfId);
    this.send({ type: 'hello', v: RELAY_PROTOCOL_VERSION, room: this.opts.room, peer: this.opts.selfId, ...shown });
    if (this.state === 'closed') return; // closed while proving: nothing to listen for
    this.sendRecords();
    this.stopRecords = this.opts.credentials.onRecords(() => this.sendRecords());
    await offered;
    const transceivers = this.pc.getTransceivers();
    const midOf = (x: RTCRtpSender | RTCRtpReceiver) => transceivers.find((t) => t.sender === x || t.receiver === x)!.mid!;
    const [low, mid, high] = this.videoSenders.map(midOf);
    const layout: ConnectLayout = {
      audio: midOf(this.audioSender),
      video: { low, mid, high },
      downVideo: this.videoReceivers.map(midOf),
      downAudio: this.audioReceivers.map(midOf),
      ...(this.forwardsScreens ? { screen: midOf(this.screenSender) } : {}),
    };
    this.send({ type: 'connect', sdp: this.pc.localDescription!.sdp, layout });
    const { sdp } = await answer;
    const pending = this.pending ?? [];
    this.pending = null;
    for (const m of pending) this.send(m);
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    this.negotiated();
    // Text stays sharp: the screen keeps its resolution and gives up frame rate instead.
    this.pausing = this.pausing.then(() => tuneForScreen(this.screenSender));
  }

  /** Shows `publisher` in video slot `tile`: its camera at `layer`, or with `source` 'screen' the screen it shares. */
  subscribe(tile: number, publisher: string, layer: WantedLayer, source?: VideoSource): void {
    const m: RelayClientMessage = { type: 'subscribe', tile, publisher, layer, ...(source ? { source } : {}) };
    if (this.pending) this.pending.push(m);
    else this.send(m);
  }

  /** Always hear `publisher` (null: nobody), loudest or not, while they speak. */
  pin(publisher: string | null): void {
    const m: RelayClientMessage = { type: 'pin', publisher };
    if (this.pending) this.pending.push(m);
    else this.send(m);
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    const senders = kind === 'audio' ? [this.audioSender] : kind === 'screen' ? [this.screenSender] : this.videoSenders;
    await Promise.all(senders.map((s) => s.replaceTrack(track)));
  }

  /** Whether the screen transceiver may send now (the relay says someone watches it). */
  get screenActive(): boolean {
    return this.screenSender.getParameters().encodings?.[0]?.active ?? false;
  }

  /** The relay is gone though nothing closed (its room channel's heartbeats stopped). */
  fail(): void {
    this.setState('failed');
  }

  close(): void {
    clearTimeout(this.disconnectedTimer);
    this.stopRecords?.();
    this.stopRecords = null;
    if (this.state === 'closed') return;
    this.setState('closed');
    if (this.ws?.readyState === SOCKET_OPEN) this.send({ type: 'bye' });
    this.ws?.close();
    this.pc.close();
  }

  private onMessage(m: RelayServerMessage): void {
    switch (m.type) {
      case 'pause':
        this.pausing = this.pausing.then(() => this.setPaused(m.layers));
        break;
      case 'publishers':
        this.opts.onPublishers(m.peers);
        break;
      case 'speakers':
        this.opts.onSpeakers(m.slots);
        break;
      case 'refused':
        console.warn(`[confab] relay refused us: ${m.reason}`);
        this.opts.credentials.refused(m.reason, Array.isArray(m.records) ? m.records : []);
        break;
      case 'error':
        console.warn(`[confab] relay: ${m.reason}`);
        break;
    }
  }

  /** The control records the relay does not have from us yet, in messages of at most the relay's limit. */
  private sendRecords(): void {
    if (this.ws?.readyState !== SOCKET_OPEN) return;
    const fresh = this.opts.credentials.records().filter((r) => {
      const sig = (r as { sig?: unknown } | null)?.sig;
      return typeof sig === 'string' && !this.recordsSent.has(sig);
    });
    for (const r of fresh) this.recordsSent.add((r as { sig: string }).sig);
    for (let i = 0; i < fresh.length; i += RELAY_LIMITS.maxControlRecords) {
      this.send({ type: 'control', records: fresh.slice(i, i + RELAY_LIMITS.maxControlRecords) });
    }
  }

  /** Layers (and a screen) nobody watches stop encoding (`active: false`): no CPU, no uplink. */
  private async setPaused(layers: UpVideo[]): Promise<void> {
    await this.ready;
    const paused = new Set(layers);
    // A relay that forwards no screens never names it: ours stays paused.
    if (!this.forwardsScreens) paused.add('screen');
    const senders: [UpVideo, RTCRtpSender][] = [...VIDEO_LAYERS.map((l, i): [UpVideo, RTCRtpSender] => [l, this.videoSenders[i]!]), ['screen', this.screenSender]];
    await Promise.all(
      senders.map(async ([layer, sender]) => {
        const params = sender.getParameters();
        const active = !paused.has(layer);
        if (!params.encodings?.[0] || params.encodings[0].active === active) return;
        params.encodings[0].active = active;
        await sender.setParameters(params).catch((err: unknown) => console.warn('[confab] could not (un)pause a layer:', err));
      }),
    );
  }

  private send(m: RelayClientMessage): void {
    if (this.ws?.readyState === SOCKET_OPEN) this.ws.send(JSON.stringify(m));
  }

  private setState(state: RelayLinkState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.opts.onState(state);
  }
}

/** The relay routes by SSRC and forwards VP8 and Opus only. */
function preferCodec(t: RTCRtpTransceiver, mimeType: string): void {
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs.filter((c) => c.mimeType === mimeType) ?? [];
  if (codecs.length > 0) t.setCodecPreferences(codecs);
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHERING_TIMEOUT_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** From the relay named by the page's own server: still, only well-formed messages. */
function parseServerMessage(data: unknown): RelayServerMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const m = JSON.parse(data) as RelayServerMessage | null;
    return typeof m === 'object' && m !== null && typeof m.type === 'string' ? m : null;
  } catch {
    return null;
  }
}
