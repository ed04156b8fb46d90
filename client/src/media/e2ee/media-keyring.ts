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
 * A new epoch opens frames at once and is sent under SWITCH_DELAY_MS later, so it has reached
 * the others before frames under it do.
 */
export const SWITCH_DELAY_MS = 150;
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

  /** Adopts `e` if it supersedes the current epoch; true when it did. */
  offer(e: Epoch): boolean {
    if (!this.supersedes(e)) return false;
    this.key = e;
    this.opts.install(e);
    this.setTimer(() => {
      if (this.key === e) this.opts.send(e.epoch);
    }, SWITCH_DELAY_MS);
    return true;
  }
}
