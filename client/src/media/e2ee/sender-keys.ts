import { senderFrameKey, type FrameLabel } from './frame-crypto';
import { ReplayWindow } from './replay-window';

/**
 * The frame keys this page holds (in the transform worker): per epoch, one key per member,
 * derived from the epoch secret the committer handed out (media-key-message.ts). Frames name
 * their epoch by one byte (epoch mod 256) and their sender by its index in the epoch's member
 * list; the full epoch and the sender's peer id are bound into each frame's authenticated
 * data. Epochs older than the one we send under are forgotten FORGET_AFTER_MS after the switch:
 * late frames still open, nothing sent long after does.
 */
export const FORGET_AFTER_MS = 2_000;

export interface EpochInstall {
  epoch: number;
  secret: Uint8Array<ArrayBuffer>;
  /** Peer ids of the epoch's members, in the committer's order: a frame's sender index points here. */
  members: string[];
}

interface Sender {
  id: string;
  key: CryptoKey;
  replays: ReplayWindow;
}

interface HeldEpoch {
  epoch: number;
  senders: Sender[];
}

export class SenderKeys {
  private readonly held = new Map<number, HeldEpoch>();
  private sending: HeldEpoch | null = null;
  private selfIndex = -1;

  constructor(
    private readonly selfId: string,
    private readonly setTimer: (fn: () => void, ms: number) => void = (fn, ms) => void setTimeout(fn, ms),
  ) {}

  /** Opens the epoch's frames from now on. */
  async install(e: EpochInstall): Promise<void> {
    const keyId = e.epoch % 256;
    const existing = this.held.get(keyId);
    if (existing && existing.epoch > e.epoch) return;
    const senders = await Promise.all(
      e.members.map(async (id) => ({ id, key: await senderFrameKey(e.secret, e.epoch, id), replays: new ReplayWindow() })),
    );
    this.held.set(keyId, { epoch: e.epoch, senders });
  }

  /** Seal under `epoch` from now on (it must be installed and name us); older epochs go after the grace. */
  send(epoch: number): boolean {
    const held = this.held.get(epoch % 256);
    const index = held?.epoch === epoch ? held.senders.findIndex((s) => s.id === this.selfId) : -1;
    if (!held || index < 0) return false;
    this.sending = held;
    this.selfIndex = index;
    this.setTimer(() => {
      for (const [keyId, h] of this.held) if (h.epoch < epoch) this.held.delete(keyId);
    }, FORGET_AFTER_MS);
    return true;
  }

  /** Epochs whose frames open now. */
  epochs(): number[] {
    return [...this.held.values()].map((h) => h.epoch).sort((a, b) => a - b);
  }

  /** Our own key and label for the epoch we send under, or null (then nothing leaves). */
  sealing(): { key: CryptoKey; label: FrameLabel } | null {
    const held = this.sending;
    if (!held || !this.held.has(held.epoch % 256)) return null;
    const self = held.senders[this.selfIndex]!;
    return { key: self.key, label: { epoch: held.epoch, keyId: held.epoch % 256, senderIndex: this.selfIndex, senderId: self.id } };
  }

  /** The sender a frame's trailer names, with its key and replay window, or null if we hold none. */
  opening(keyId: number, senderIndex: number): { key: CryptoKey; epoch: number; senderId: string; replays: ReplayWindow } | null {
    const held = this.held.get(keyId);
    const sender = held?.senders[senderIndex];
    return held && sender ? { key: sender.key, epoch: held.epoch, senderId: sender.id, replays: sender.replays } : null;
  }
}
