/**
 * Which media key is current. Epoch 0's key comes from the room secret, so everyone with the
 * link has it. When someone is removed, the remover makes a random key for the next epoch
 * and hands it over the peer data channels (DTLS, end to end) to those who remain only;
 * newcomers get the current one from whoever links with them. The removed person, who knows
 * the room secret, has no key to anything sent after that.
 *
 * A new key opens frames at once but is used for sending only SWITCH_DELAY_MS later, so it
 * has reached everyone before frames under it do.
 */
export const SWITCH_DELAY_MS = 1_000;
export const MEDIA_KEY_BYTES = 16;
/** The worker tells keys apart by one trailer byte. */
export const keyIdOf = (epoch: number) => epoch % 256;

export interface MediaKey {
  epoch: number;
  raw: Uint8Array<ArrayBuffer>;
}

export interface MediaKeyringOptions {
  /** Install a key: for opening at once, for sending too when `send`. */
  install(id: number, raw: Uint8Array<ArrayBuffer>, send: boolean): void;
  setTimer?(fn: () => void, ms: number): void;
}

/** Two keys for the same epoch (two moderators rotated at once): everyone keeps the smaller. */
function precedes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

export class MediaKeyring {
  private key: MediaKey;
  private readonly setTimer: (fn: () => void, ms: number) => void;

  constructor(epochZero: Uint8Array<ArrayBuffer>, private readonly opts: MediaKeyringOptions) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => void setTimeout(fn, ms));
    this.key = { epoch: 0, raw: epochZero };
    opts.install(keyIdOf(0), epochZero, true);
  }

  get current(): MediaKey {
    return this.key;
  }

  /** A fresh key for the next epoch (this peer removed someone); hand it to those who stay. */
  rotate(): MediaKey {
    const raw = crypto.getRandomValues(new Uint8Array(MEDIA_KEY_BYTES));
    this.adopt({ epoch: this.key.epoch + 1, raw });
    return this.key;
  }

  /** A key a peer handed over; true when it became current (pass it on to newcomers). */
  offer(key: MediaKey): boolean {
    if (!Number.isSafeInteger(key.epoch) || key.epoch < 0 || key.raw.length !== MEDIA_KEY_BYTES) return false;
    const newer = key.epoch > this.key.epoch || (key.epoch === this.key.epoch && key.epoch > 0 && precedes(key.raw, this.key.raw));
    if (!newer) return false;
    this.adopt(key);
    return true;
  }

  private adopt(key: MediaKey): void {
    this.key = key;
    this.opts.install(keyIdOf(key.epoch), key.raw, false);
    this.setTimer(() => {
      if (this.key === key) this.opts.install(keyIdOf(key.epoch), key.raw, true);
    }, SWITCH_DELAY_MS);
  }
}
