import { exclusionOf, mayModerate, type RoomControlState } from '../../../../crdt/room/control-records';

/**
 * Which epoch is current, and the rules an epoch message must meet to replace it
 * (PROTOCOL.md, "Media keys"). Epoch messages are signed; this decides whose signature counts
 * and which of two wins:
 *
 * - committers: the host's devices (rank 0), co-hosts (rank 1), and, only while the room is
 *   open to anyone with the link (not locked, nobody removed), any admitted member (rank 2);
 * - an epoch must be newer than ours by at most MAX_EPOCH_STEP, and below MAX_EPOCH: nobody
 *   freezes rotation with a huge number (the step makes MAX_EPOCH unreachable in practice);
 * - two epochs with the same number: the lower rank wins, then the smaller committer key;
 *   the key's value never decides, so no one pre-seeds an epoch with a chosen secret.
 *
 * A new epoch opens frames at once. We seal under it as soon as every member who opens our
 * frames now (a member of the epoch we send under) has said it holds the new one (a `held`
 * notice; the committer holds its own), and at the latest SWITCH_DELAY_MS after adopting it:
 * our frames must not stop opening for someone who could open them, and one silent member must
 * not hold the room back. A newcomer, who opens nothing of ours yet, holds nobody back.
 */
export const SWITCH_DELAY_MS = 150;
/** Held notices kept for epochs we have not adopted yet (they may overtake the epoch itself). */
const EARLY_NOTICE_EPOCHS = 4;
/** As many as an epoch message may name. */
const MAX_MEMBERS = 255;
export const MAX_EPOCH_STEP = 2 ** 20;
export const MAX_EPOCH = 2 ** 48;

export interface Epoch {
  epoch: number;
  secret: Uint8Array<ArrayBuffer>;
  /** Peer ids, in sender-index order. */
  members: string[];
  /** The committer's participant key and rank. */
  by: string;
  rank: number;
}

export interface MediaKeyringOptions {
  /** Install an epoch: its frames open at once. */
  install(e: Epoch): void;
  /** Seal our frames under this (installed) epoch from now on. */
  send(epoch: number): void;
  setTimer?(fn: () => void, ms: number): void;
}

/** A committer's rank under the room's records (lower wins), or null if its epochs do not count. */
export function committerRank(state: RoomControlState, key: string): number | null {
  if (state.ended) return null;
  if (key === state.hostKey || state.hostSessions.has(key)) return 0;
  if (mayModerate(state, key)) return 1;
  const open = !state.locked && state.removed.size === 0;
  return open && exclusionOf(state, key) === null ? 2 : null;
}

export class MediaKeyring {
  private key: Epoch | null = null;
  /** Members (peer ids) known to hold an epoch, per `epoch by` (current and a few ahead). */
  private readonly holding = new Map<string, Set<string>>();
  private switched = false;
  /** Members of the epoch we seal under: they open our frames now. */
  private audience = new Set<string>();
  private readonly setTimer: (fn: () => void, ms: number) => void;

  constructor(private readonly opts: MediaKeyringOptions) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => void setTimeout(fn, ms));
  }

  get current(): Epoch | null {
    return this.key;
  }

  /** Would `e` replace the current epoch? */
  supersedes(e: Pick<Epoch, 'epoch' | 'by' | 'rank'>): boolean {
    if (!Number.isSafeInteger(e.epoch) || e.epoch < 0 || e.epoch >= MAX_EPOCH) return false;
    const cur = this.key;
    if (!cur) return true;
    if (e.epoch > cur.epoch) return e.epoch - cur.epoch <= MAX_EPOCH_STEP;
    if (e.epoch < cur.epoch) return false;
    return e.rank < cur.rank || (e.rank === cur.rank && e.by < cur.by);
  }

  /** Adopts `e` if it supersedes the current epoch; true when it did. `holders`: members known to hold it already (we, its committer). */
  offer(e: Epoch, holders: string[]): boolean {
    if (!this.supersedes(e)) return false;
    this.key = e;
    this.switched = false;
    this.opts.install(e);
    for (const k of this.holding.keys()) if (Number(k.split(' ')[0]) < e.epoch) this.holding.delete(k);
    for (const id of holders) this.noteHeld(e, id);
    this.switchIfAllHold();
    this.setTimer(() => this.switchTo(e), SWITCH_DELAY_MS);
    return true;
  }

  /** A member's signed notice that it holds epoch `epoch` of committer `by`. */
  held(epoch: number, by: string, memberId: string): void {
    const cur = this.key;
    if (cur && (cur.epoch > epoch || (cur.epoch === epoch && cur.by !== by))) return;
    const known = cur?.epoch === epoch ? cur : { epoch, by };
    if (cur?.epoch !== epoch && !this.holding.has(`${epoch} ${by}`) && this.holding.size >= EARLY_NOTICE_EPOCHS) return;
    this.noteHeld(known, memberId);
    this.switchIfAllHold();
  }

  private noteHeld(e: Pick<Epoch, 'epoch' | 'by'>, memberId: string): void {
    const k = `${e.epoch} ${e.by}`;
    const set = this.holding.get(k) ?? new Set<string>();
    this.holding.set(k, set);
    if (set.size < MAX_MEMBERS) set.add(memberId);
  }

  private switchIfAllHold(): void {
    const e = this.key;
    const set = e && this.holding.get(`${e.epoch} ${e.by}`);
    if (e && set && e.members.every((id) => set.has(id) || !this.audience.has(id))) this.switchTo(e);
  }

  private switchTo(e: Epoch): void {
    if (this.key !== e || this.switched) return;
    this.switched = true;
    this.audience = new Set(e.members);
    this.opts.send(e.epoch);
  }
}
