import { signControl, type ControlKind } from '../../../crdt/room/control-records';
import type { PeerSignal } from '../../../crdt/protocol/wire';
import { fromBase64Url } from '../../../crdt/protocol/base64url';
import { outboundAudioPackets } from '../media/stats/rtc-stats';
import type { TestRoomSession } from './test-room-session';
import type { E2eeCounts } from '../media/e2ee/worker-messages';

/**
 * `window.confabDebug`: read-only views that the e2e tests and the bench use to prove media
 * really flows (decoded frames, audio energy) and what each peer's room state says. Nothing
 * here changes the call, except `tamper`, which exists only when the tab opted in to test
 * hooks (localStorage `confab.testHooks` = `1`): it plays a modified client, and gives no
 * power a person editing their own browser's code would not have. Only the test build
 * (`vite build --mode test-hooks`, into dist-test/) has any of this; the production build
 * (dist/) has none. `npm run build` makes both.
 */
export interface ConfabDebug {
  selfId: string;
  peerIds(): string[];
  framesDecoded(peerId: string): Promise<number>;
  /** Labels of the tracks this page sends to the peer (which camera and mic), and the connection's id. */
  sending(peerId: string): { labels: string[]; connection: string };
  /** Peer ids in the participant list as Your room shows it: self and every peer here with a verified entry (not "Joining…"). */
  participantIds(): string[];
  /**
   * Media frames this page sealed, opened and refused (wrong or no key, replayed), the epochs
   * its worker holds, the current epoch (-1: none) and the peer ids it was sealed to.
   */
  e2ee(): Promise<E2eeCounts & { epoch: number; keyHolders: string[] }>;
  /** Width of the video now arriving from a peer (through the relay: which layer its tile gets). */
  videoWidth(peerId: string): Promise<number>;
  /** `mesh`, or `relay` while media goes through the relay node. */
  topology(): string;
  /** The distinct ports of the relay's ICE candidates in its answer (empty: not on a relay). */
  relayCandidatePorts(): number[];
  /** Audio packets sent on the relay link so far (null: not on a relay), to see DTX at work. */
  relayAudioPacketsSent(): Promise<number | null>;
  /** The relay the room document names as carrying the media (null: a mesh). */
  relayChoice(): string | null;
  /** The relay whose link carries this page's media now (null: none). */
  relayInUse(): string | null;
  /** Peer connections this page has (none in relay mode, unless it shares its screen). */
  meshLinks(): number;
  /** Whose voice each of the relay's audio slots carries (empty: not on a relay). */
  relayVoices(): (string | null)[];
  /** Whether a peer's tile gets its video through the relay now (not a mesh link). */
  viaRelay(peerId: string): boolean;
  /** STUN/TURN servers configured on the connection to this peer. */
  iceServerCount(peerId: string): number;
  /** Peak level (0..1) of the peer's audio over `windowMs`: WebAudio analyser, or the RTP level header. */
  audioPeak(peerId: string, windowMs: number): Promise<number>;
  /** Mean energy (mean square, 0..1) of the peer's audio over `windowMs`, by a WebAudio analyser. */
  audioEnergy(peerId: string, windowMs: number): Promise<number>;
  /** The background effect's timings (null: no effect on). */
  backgroundStats(): { frames: number; segmentations: number; segmentMs: number; composeMs: number; fps: number; masksPerSecond: number; addedLatencyMs: number } | null;
  /**
   * What arrives of the peer's shared screen: on the relay's screen slot while it shows that
   * screen (`via` 'relay'), else on the mesh link's screen transceiver; `meshFramesDecoded`:
   * what the mesh link's screen transceiver decoded in any case.
   */
  screenFrames(peerId: string): Promise<{ framesDecoded: number; width: number; height: number; via: 'relay' | 'mesh'; meshFramesDecoded: number }>;
  /** Whether this page's screen transceiver on the relay link is unpaused (null: no relay link carries media). */
  relayScreenActive(): boolean | null;
  /** The size of the screen this page shares, as captured. */
  localScreenSize(): { width: number; height: number } | null;
  /** What the browser does when its own "Stop sharing" bar is clicked: the track ends. */
  endScreenTrackAsBrowser(): void;
  /** Audio levels (RMS, 0..1) the active-speaker detection last measured, by peer id. */
  speakerLevels(): Record<string, number>;
  standing(): string;
  chatTexts(): string[];
  /** Verified chat as shown: who signed each message, the name it carries, its text. */
  chat(): { from: string; name: string; text: string }[];
  /** Verified participant names by peer id, as tiles and lists show them. */
  names(): Record<string, string>;
  /** The folded control state; `approvedRelays`: ids of joined relays an `approve-relay` record lets carry the room. */
  controls(): { locked: boolean; ended: boolean; hostSessions: number; cohosts: number; removed: number; admitted: number; approvedRelays: string[] };
  tamper?: TamperHooks;
}

export interface TamperHooks {
  selfKey: string;
  /** The raw control values in this peer's room document. */
  controlValues(): unknown[];
  /** Writes values straight into the shared document, unchecked. */
  inject(values: unknown[]): void;
  /** A record signed with this participant's own key (no authority behind it). */
  signOwn(kind: ControlKind, target?: string, seq?: number): Promise<unknown>;
  /** Seals and opens media with another key than the room's (a client that lost or never had it). */
  useWrongMediaKey(): void;
  /** Opens frames of test publishers (load bots) sealed under this epoch secret (base64url); never sends under it. */
  trustTestSenders(epoch: number, secret: string, members: string[]): void;
  /** Ignores the records that remove this participant or end the room (the relay and peers still enforce them). */
  stayWhenRemoved(): void;
  /** Sends any signal to one peer through the room's encrypted signaling. */
  signal(peerId: string, msg: PeerSignal): Promise<void>;
  /** A plain Yjs delete of every control record in this page's document (no key needed). */
  deleteControls(): void;
  /** Raw entries of this page's document, and writes of anything into them, unchecked. */
  chatValues(): unknown[];
  pushChat(value: unknown): void;
  participantValue(id: string): unknown;
  putParticipant(id: string, value: unknown): void;
}

declare global {
  interface Window {
    confabDebug?: ConfabDebug;
  }
}

let speakerLevels: () => Record<string, number> = () => ({});

/** The Room view's speaker detection: the audio levels it last measured. */
export function exposeSpeakerLevels(levels: () => Record<string, number>): void {
  speakerLevels = levels;
}

export function exposeDebugHooks(session: TestRoomSession): void {
  window.confabDebug = {
    get selfId() {
      return session.selfId;
    },
    peerIds: () => session.peers().map((p) => p.id),
    sending(peerId) {
      const pc = session.remote.connection(peerId);
      const labels = pc?.getSenders().flatMap((s) => (s.track ? [s.track.label] : [])) ?? [];
      // The DTLS fingerprint in the local description names this connection: a redial makes another.
      const connection = /a=fingerprint:\S+ (\S+)/.exec(pc?.localDescription?.sdp ?? '')?.[1] ?? '';
      return { labels, connection };
    },
    participantIds: () => [
      session.selfId,
      ...session.peers().flatMap(({ id }) => {
        const entry = session.participant(id);
        return entry && entry.leftAt === undefined ? [id] : [];
      }),
    ],
    async e2ee() {
      const counts = (await session.encryption?.counts()) ?? { sealed: 0, opened: 0, failed: 0, replayed: 0, sendEpoch: null, heldEpochs: [] };
      return { ...counts, epoch: session.mediaKeyEpoch, keyHolders: session.mediaKeyHolders() };
    },
    iceServerCount: (peerId) => session.remote.connection(peerId)?.getConfiguration().iceServers?.length ?? -1,
    framesDecoded: async (peerId) => (await session.inboundVideo(peerId)).frames,
    videoWidth: async (peerId) => (await session.inboundVideo(peerId)).widthPx,
    topology: () => session.topology(),
    relayChoice: () => session.signed.relayChoice()?.relay ?? null,
    async relayAudioPacketsSent() {
      const pc = session.relayConnection();
      return pc ? outboundAudioPackets(await pc.getStats()) : null;
    },
    relayCandidatePorts() {
      const sdp = session.relayConnection()?.remoteDescription?.sdp ?? '';
      return [...new Set([...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ \S+ (\d+) /gm)].map((m) => Number(m[1])))];
    },
    relayInUse: () => session.switch.relayInUse(),
    meshLinks: () => session.meshLinkCount(),
    relayVoices: () => [...(session.switch.connectedRelay()?.voices() ?? [])],
    viaRelay: (peerId) => session.switch.connectedRelay()?.videoReceiverOf(peerId) !== undefined,
    async audioPeak(peerId, windowMs) {
      const track = session.remote.audioReceiver(peerId)?.track ?? session.peers().find((p) => p.id === peerId)?.stream().getAudioTracks()[0];
      if (!track) return 0;
      const ctx = new AudioContext();
      // Without an audio output (no sound server) resume() never settles: say so, don't hang.
      await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 5_000))]);
      if (ctx.state !== 'running') throw new Error(`AudioContext is ${ctx.state}: this browser has no audio output`);
      const analyser = ctx.createAnalyser();
      // A WebAudio source made from a remote track sometimes reads only zeros in Chromium (seen
      // in CI rehearsals): one that has heard nothing for a second is made again.
      const connect = () => {
        const source = ctx.createMediaStreamSource(new MediaStream([track]));
        source.connect(analyser);
        return source;
      };
      let source = connect();
      let sourceMadeAt = performance.now();
      const samples = new Float32Array(analyser.fftSize);
      let peak = 0;
      const until = performance.now() + windowMs;
      // The sender's own level in the RTP header of arriving packets is read too: when the
      // WebAudio path stays silent, it still shows whether sound is arriving.
      const receiver = session.remote.audioReceiver(peerId);
      while (performance.now() < until) {
        analyser.getFloatTimeDomainData(samples);
        for (const s of samples) peak = Math.max(peak, Math.abs(s));
        peak = Math.max(peak, receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0);
        if (peak === 0 && performance.now() - sourceMadeAt > 1000) {
          source.disconnect();
          source = connect();
          sourceMadeAt = performance.now();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await ctx.close();
      return peak;
    },
    async audioEnergy(peerId, windowMs) {
      const track = session.remote.audioReceiver(peerId)?.track ?? session.peers().find((p) => p.id === peerId)?.stream().getAudioTracks()[0];
      if (!track) return 0;
      const ctx = new AudioContext();
      await ctx.resume();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      let sum = 0;
      let count = 0;
      const until = performance.now() + windowMs;
      // 1,024 samples are ~21 ms at 48 kHz: reading every 20 ms sees (nearly) every sample once.
      while (performance.now() < until) {
        analyser.getFloatTimeDomainData(samples);
        for (const v of samples) sum += v * v;
        count += samples.length;
        await new Promise((r) => setTimeout(r, 20));
      }
      await ctx.close();
      return count ? sum / count : 0;
    },
    backgroundStats() {
      return session.media.background.stats();
    },
    async screenFrames(peerId) {
      const read = async (receiver: RTCRtpReceiver | undefined) => {
        const out = { framesDecoded: 0, width: 0, height: 0 };
        (await receiver?.getStats())?.forEach((r: { type: string; framesDecoded?: number; frameWidth?: number; frameHeight?: number }) => {
          if (r.type !== 'inbound-rtp') return;
          out.framesDecoded = r.framesDecoded ?? 0;
          out.width = r.frameWidth ?? 0;
          out.height = r.frameHeight ?? 0;
        });
        return out;
      };
      const relayed = session.switch.connectedRelay()?.screenReceiverOf(peerId);
      const mesh = await read(session.remote.connection(peerId)?.getTransceivers()[2]?.receiver);
      const shown = relayed ? await read(relayed) : mesh;
      return { ...shown, via: relayed ? 'relay' : 'mesh', meshFramesDecoded: mesh.framesDecoded };
    },
    relayScreenActive: () => session.switch.connectedRelay()?.screenActive ?? null,
    localScreenSize() {
      const settings = session.screen.track()?.getSettings();
      return settings ? { width: settings.width ?? 0, height: settings.height ?? 0 } : null;
    },
    endScreenTrackAsBrowser() {
      const track = session.screen.track();
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    },
    speakerLevels: () => speakerLevels(),
    standing: () => session.standing(),
    chatTexts: () => session.chat().map((m) => m.text),
    chat: () => session.chat().map(({ from, name, text }) => ({ from, name, text })),
    names: () => Object.fromEntries(session.participants().map((p) => [p.id, p.name])),
    controls() {
      const s = session.controlState();
      return {
        locked: s.locked,
        ended: s.ended,
        hostSessions: s.hostSessions.size,
        cohosts: s.cohosts.size,
        removed: s.removed.size,
        admitted: s.admitted.size,
        approvedRelays: [...s.approvedRelays].sort(),
      };
    },
  };
  if (localStorage.getItem('confab.testHooks') === '1') window.confabDebug.tamper = tamperHooks(session);
}

function tamperHooks(session: TestRoomSession): TamperHooks {
  const tools = session.tamperTools();
  return {
    get selfKey() {
      return session.selfKey;
    },
    controlValues: () => session.controls.values(),
    useWrongMediaKey: () => session.useWrongMediaKey(),
    trustTestSenders: (epoch, secret, members) => session.encryption?.installEpoch(epoch, fromBase64Url(secret) as Uint8Array<ArrayBuffer>, members),
    stayWhenRemoved: () => void (session.stayWhenRemoved = true),
    inject: (values) => session.room.doc.getArray<unknown>('controls').push(values),
    async signOwn(kind, target, seq) {
      const { identity } = await tools;
      return signControl(identity, { room: session.link.roomId, kind, seq: seq ?? 1_000, ...(target ? { target } : {}) });
    },
    async signal(peerId, msg) {
      (await tools).signal(peerId, msg);
    },
    deleteControls() {
      const array = session.room.doc.getArray<unknown>('controls');
      array.delete(0, array.length);
    },
    chatValues: () => session.room.chatValues(),
    pushChat: (value) => session.room.pushChat(value),
    participantValue: (id) => session.room.participantValues().find(([key]) => key === id)?.[1],
    putParticipant: (id, value) => session.room.putParticipant(id, value),
  };
}
