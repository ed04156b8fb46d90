/**
 * Small stand-ins for the browser's WebRTC objects, for unit tests of the client's state
 * machines (peer links, the mesh, relay links): no media and no network, only the state a
 * real RTCPeerConnection goes through and the events it fires, which the test drives.
 *
 * A fake SDP is one line per m-line (`m=audio`, `m=video`), a DTLS fingerprint, and `a=dc` when
 * a data channel was made: enough for the other side's fake to mirror the offer.
 */

let nextTrack = 0;

export class FakeTrack {
  readonly id = `track-${++nextTrack}`;
  constructor(readonly kind: 'audio' | 'video') {}
}

/** MediaStream as the mesh uses it: a set of tracks. */
export class FakeMediaStream {
  private readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
  addTrack(t: FakeTrack): void {
    if (!this.tracks.includes(t)) this.tracks.push(t);
  }
  removeTrack(t: FakeTrack): void {
    const i = this.tracks.indexOf(t);
    if (i >= 0) this.tracks.splice(i, 1);
  }
}

export class FakeSender {
  track: FakeTrack | null;
  params: { encodings: { active?: boolean; scaleResolutionDownBy?: number; maxFramerate?: number }[]; degradationPreference?: string };
  constructor(track: FakeTrack | null, encodings: { active?: boolean; scaleResolutionDownBy?: number }[] = [{}]) {
    this.track = track;
    this.params = { encodings: encodings.map((e) => ({ ...e })) };
  }
  replaceTrack(t: FakeTrack | null): Promise<void> {
    this.track = t;
    return Promise.resolve();
  }
  getParameters() {
    return { ...this.params, encodings: this.params.encodings.map((e) => ({ ...e })) };
  }
  setParameters(p: FakeSender['params']): Promise<void> {
    this.params = p;
    return Promise.resolve();
  }
}

export class FakeTransceiver {
  mid: string | null = null;
  currentDirection: string | null = null;
  readonly sender: FakeSender;
  readonly receiver: { track: FakeTrack; getStats(): Promise<Map<string, unknown>> };
  codecs: unknown[] = [];
  constructor(
    readonly kind: 'audio' | 'video',
    public direction: string,
    track: FakeTrack | null,
    encodings?: { active?: boolean; scaleResolutionDownBy?: number }[],
  ) {
    this.sender = new FakeSender(track, encodings);
    this.receiver = { track: new FakeTrack(kind), getStats: async () => new Map() };
  }
  setCodecPreferences(codecs: unknown[]): void {
    this.codecs = codecs;
  }
}

export class FakeDataChannel {
  readyState: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  bufferedAmount = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  /** The other end, once the connection is up (fakeConnect). */
  peer: FakeDataChannel | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly label: string) {}
  send(bytes: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError: the channel is not open');
    this.sent.push(bytes);
    const peer = this.peer;
    if (peer) queueMicrotask(() => peer.onmessage?.({ data: bytes.slice().buffer }));
  }
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.();
  }
}

type Description = { type: 'offer' | 'answer'; sdp: string };

let nextFingerprint = 0;

export class FakePeerConnection {
  /** Every fake made since the last reset, in order. */
  static made: FakePeerConnection[] = [];
  readonly config: RTCConfiguration;
  readonly fingerprint = `AA:BB:${(++nextFingerprint).toString(16).padStart(2, '0').toUpperCase()}`;
  signalingState: 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed' = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'new';
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  readonly transceivers: FakeTransceiver[] = [];
  readonly channels: FakeDataChannel[] = [];
  /** Candidates handed to addIceCandidate (undefined: end of candidates). */
  readonly candidates: (RTCIceCandidateInit | undefined)[] = [];
  restarts = 0;
  closed = false;
  onicecandidate: ((ev: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  onnegotiationneeded: (() => void) | null = null;
  ontrack: ((ev: { track: FakeTrack; transceiver: FakeTransceiver }) => void) | null = null;
  ondatachannel: ((ev: { channel: FakeDataChannel }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  private readonly listeners = new Map<string, (() => void)[]>();
  private negotiationQueued = false;
  private offers = 0;

  constructor(config: RTCConfiguration = {}) {
    this.config = config;
    FakePeerConnection.made.push(this);
  }

  addTransceiver(trackOrKind: FakeTrack | 'audio' | 'video', init: { direction?: string; sendEncodings?: { active?: boolean }[] } = {}): FakeTransceiver {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const t = new FakeTransceiver(kind, init.direction ?? 'sendrecv', track, init.sendEncodings);
    this.transceivers.push(t);
    this.needNegotiation();
    return t;
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  createDataChannel(label: string): FakeDataChannel {
    const channel = new FakeDataChannel(label);
    this.channels.push(channel);
    this.needNegotiation();
    return channel;
  }

  async createOffer(): Promise<Description> {
    return { type: 'offer', sdp: this.sdp() };
  }

  async setLocalDescription(desc?: Description): Promise<void> {
    await Promise.resolve();
    const type = desc?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.localDescription = { type, sdp: desc?.sdp ?? this.sdp() };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    if (type === 'answer') this.settle();
    this.transceivers.forEach((t, i) => (t.mid ??= String(i)));
  }

  async setRemoteDescription(desc: Description): Promise<void> {
    await Promise.resolve();
    if (desc.type === 'offer' && this.signalingState === 'have-local-offer') {
      // Rollback, as a polite side's implicit rollback does.
      this.signalingState = 'stable';
    }
    this.remoteDescription = desc;
    if (desc.type === 'offer') {
      this.signalingState = 'have-remote-offer';
      const kinds = [...desc.sdp.matchAll(/^m=(audio|video)$/gm)].map((m) => m[1] as 'audio' | 'video');
      for (let i = this.transceivers.length; i < kinds.length; i++) {
        const t = new FakeTransceiver(kinds[i]!, 'recvonly', null);
        t.mid = String(i);
        this.transceivers.push(t);
        this.ontrack?.({ track: t.receiver.track, transceiver: t });
      }
    } else {
      this.signalingState = 'stable';
      this.settle();
      for (const t of this.transceivers) if (t.direction !== 'sendonly') this.ontrack?.({ track: t.receiver.track, transceiver: t });
    }
  }

  async addIceCandidate(candidate?: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    this.candidates.push(candidate);
  }

  restartIce(): void {
    this.restarts++;
    this.needNegotiation();
  }

  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  // ---- driven by the test ----

  /** The connection reaches `state` (connected, disconnected, failed…). */
  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** ICE found a candidate (null: gathering is over). */
  gather(candidate: RTCIceCandidateInit | null): void {
    this.onicecandidate?.({ candidate: candidate && { toJSON: () => candidate } });
    if (!candidate) {
      this.iceGatheringState = 'complete';
      for (const fn of this.listeners.get('icegatheringstatechange') ?? []) fn();
    }
  }

  private sdp(): string {
    const lines = ['v=0', `o=fake ${++this.offers}`, ...this.transceivers.map((t) => `m=${t.kind}`), `a=fingerprint:sha-256 ${this.fingerprint}`];
    if (this.channels.length > 0) lines.push('a=dc');
    return `${lines.join('\r\n')}\r\n`;
  }

  private settle(): void {
    for (const t of this.transceivers) t.currentDirection ??= t.direction;
  }

  private needNegotiation(): void {
    if (this.negotiationQueued || this.closed) return;
    this.negotiationQueued = true;
    queueMicrotask(() => {
      this.negotiationQueued = false;
      if (!this.closed) this.onnegotiationneeded?.();
    });
  }
}

/**
 * Two fakes whose offer/answer went through reach `connected`; the channel the offerer made
 * appears on the answerer, and both ends open.
 */
export function fakeConnect(offerer: FakePeerConnection, answerer: FakePeerConnection): void {
  offerer.setConnectionState('connected');
  answerer.setConnectionState('connected');
  const channel = offerer.channels.at(-1);
  if (!channel) return;
  const far = new FakeDataChannel(channel.label);
  channel.peer = far;
  far.peer = channel;
  answerer.channels.push(far);
  answerer.ondatachannel?.({ channel: far });
  channel.open();
  far.open();
}

/** The fakes as the globals and constructor options the client code takes. */
export const FakeRTCPeerConnection = FakePeerConnection as unknown as typeof RTCPeerConnection;

/** Lets microtasks and promise chains run (several rounds of awaits). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A WebSocket the test plays the server of: it opens, receives and closes when told. */
export class FakeWebSocket {
  static made: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.made.push(this);
  }
  send(text: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(text);
  }
  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
  // ---- driven by the test ----
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  /** What the client sent, parsed. */
  frames(): { type: string; [k: string]: unknown }[] {
    return this.sent.map((s) => JSON.parse(s) as { type: string });
  }
}

export const FakeWebSocketClass = FakeWebSocket as unknown as typeof WebSocket;
