/**
 * When a connection to one peer breaks, what to do and when. One LinkRecovery per remote peer,
 * outliving the PeerLinks it replaces; it only keeps time and decides, the mesh acts:
 *
 * - `disconnected` for RESTART_AFTER_MS, or `failed`: the impolite (offering) side restarts
 *   ICE on the same connection (perfect negotiation sends the new offer);
 * - still not connected REDIAL_AFTER_MS after the trouble began: the impolite side replaces
 *   the connection with a fresh one, and again every REDIAL_AFTER_MS;
 * - still not connected DROP_AFTER_MS after the trouble began: both sides drop the peer.
 *
 * A connection that never got through (UDP blocked, no route) is `unreachable` once ICE fails
 * or CONNECT_TIMEOUT_MS pass, so the tile can say why instead of spinning; the same redials
 * go on, and such a peer is dropped only after UNREACHABLE_DROP_AFTER_MS.
 */
export type PeerReach = 'connecting' | 'connected' | 'reconnecting' | 'unreachable';

export type RecoveryAction = 'restart-ice' | 'redial' | 'drop';

export const RECOVERY_TIMINGS = {
  restartAfterMs: 2_000,
  redialAfterMs: 10_000,
  dropAfterMs: 30_000,
  connectTimeoutMs: 15_000,
  /** A peer never reached keeps its "Can't reach" tile longer, so the person can act on it. */
  unreachableDropAfterMs: 120_000,
  /** An early redial (the peer is back on signaling) is skipped if one started this recently. */
  minRedialGapMs: 3_000,
};

export interface LinkRecoveryOptions {
  /** The impolite side (greater peer id) restarts and redials; the polite side waits. */
  impolite: boolean;
  act(action: RecoveryAction): void;
  onReach(reach: PeerReach): void;
  timings?: typeof RECOVERY_TIMINGS;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(timer: unknown): void;
}

export class LinkRecovery {
  private everConnected = false;
  private troubled = false;
  private reach: PeerReach = 'connecting';
  private readonly timers = new Set<unknown>();
  private connectTimer: unknown = null;
  private redialTimer: unknown = null;
  private lastRedialMs = -Infinity;
  private readonly t: typeof RECOVERY_TIMINGS;

  constructor(private readonly opts: LinkRecoveryOptions) {
    this.t = opts.timings ?? RECOVERY_TIMINGS;
    this.connectTimer = this.after(this.t.connectTimeoutMs, () => this.trouble());
  }

  get state(): PeerReach {
    return this.reach;
  }

  /** Feed every connectionState of the current link (including a replacement's). */
  onState(state: RTCPeerConnectionState): void {
    if (state === 'connected') {
      this.everConnected = true;
      this.troubled = false;
      this.clearAll();
      this.setReach('connected');
      return;
    }
    if (state === 'disconnected') {
      if (!this.troubled) this.trouble();
      return;
    }
    if (state === 'failed') {
      this.trouble();
      // No point waiting: a failed connection does not come back on its own.
      if (this.opts.impolite) this.opts.act('restart-ice');
    }
  }

  /**
   * The impolite side redials now (on schedule, or because the peer announced itself again);
   * the next scheduled redial comes REDIAL_AFTER_MS later, so a dial in progress gets its time.
   */
  redial(): void {
    if (!this.opts.impolite || !this.troubled || Date.now() - this.lastRedialMs < this.t.minRedialGapMs) return;
    this.lastRedialMs = Date.now();
    this.clear(this.redialTimer);
    this.opts.act('redial');
    this.redialTimer = this.after(this.t.redialAfterMs, () => this.redial());
  }

  dispose(): void {
    this.clearAll();
  }

  private trouble(): void {
    if (this.troubled) return;
    this.troubled = true;
    this.clear(this.connectTimer);
    this.setReach(this.everConnected ? 'reconnecting' : 'unreachable');
    if (this.opts.impolite) {
      this.after(this.t.restartAfterMs, () => this.opts.act('restart-ice'));
      this.redialTimer = this.after(this.t.redialAfterMs, () => this.redial());
    }
    this.after(this.everConnected ? this.t.dropAfterMs : this.t.unreachableDropAfterMs, () => {
      this.clearAll();
      this.opts.act('drop');
    });
  }

  private setReach(reach: PeerReach): void {
    if (this.reach === reach) return;
    this.reach = reach;
    this.opts.onReach(reach);
  }

  private after(ms: number, fn: () => void): unknown {
    const set = this.opts.setTimer ?? ((f: () => void, d: number) => setTimeout(f, d));
    const timer: unknown = set(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clear(timer: unknown): void {
    if (!this.timers.delete(timer)) return;
    (this.opts.clearTimer ?? ((x: unknown) => clearTimeout(x as ReturnType<typeof setTimeout>)))(timer);
  }

  private clearAll(): void {
    for (const timer of [...this.timers]) this.clear(timer);
  }
}
