import type { RoomSession } from './room-session';

/**
 * `window.confabDebug`: read-only views that the e2e tests and the bench use to prove media
 * really flows (decoded frames, audio energy). Nothing here changes the call.
 */
export interface ConfabDebug {
  selfId: string;
  peerIds(): string[];
  framesDecoded(peerId: string): Promise<number>;
  /** STUN/TURN servers configured on the connection to this peer. */
  iceServerCount(peerId: string): number;
  /** Peak level (0..1) of the peer's audio over `windowMs`, from a WebAudio analyser. */
  audioPeak(peerId: string, windowMs: number): Promise<number>;
}

declare global {
  interface Window {
    confabDebug?: ConfabDebug;
  }
}

export function exposeDebugHooks(session: RoomSession): void {
  window.confabDebug = {
    selfId: session.selfId,
    peerIds: () => session.peers().map((p) => p.id),
    iceServerCount: (peerId) => session.debugPeerConnection(peerId)?.getConfiguration().iceServers?.length ?? -1,
    async framesDecoded(peerId) {
      const pc = session.debugPeerConnection(peerId);
      if (!pc) return 0;
      let frames = 0;
      (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
      });
      return frames;
    },
    async audioPeak(peerId, windowMs) {
      const track = session.peers().find((p) => p.id === peerId)?.stream.getAudioTracks()[0];
      if (!track) return 0;
      const ctx = new AudioContext();
      await ctx.resume();
      const analyser = ctx.createAnalyser();
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      let peak = 0;
      const until = performance.now() + windowMs;
      while (performance.now() < until) {
        analyser.getFloatTimeDomainData(samples);
        for (const s of samples) peak = Math.max(peak, Math.abs(s));
        await new Promise((r) => setTimeout(r, 20));
      }
      await ctx.close();
      return peak;
    },
  };
}
