import { createSignal, type Accessor } from 'solid-js';
import type { LocalMedia } from './local-media';

const KEY = 'confab.noiseSuppression';

/** RNNoise needs an AudioWorklet and WebAssembly. */
export function canSuppressNoise(): boolean {
  return typeof AudioWorkletNode !== 'undefined' && typeof WebAssembly === 'object' && typeof AudioContext !== 'undefined';
}

function stored(): boolean {
  try {
    return localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

/**
 * The Noise suppression toggle: on by default where it runs, remembered on this device. The
 * suppressor itself is a chunk of its own, loaded when first turned on.
 */
export class NoiseChoice {
  readonly on: Accessor<boolean>;
  private readonly setOn: (on: boolean) => void;

  constructor(private readonly media: LocalMedia) {
    [this.on, this.setOn] = createSignal(canSuppressNoise() && stored());
  }

  /** Applies the remembered choice (the join screen does this once). */
  async apply(): Promise<void> {
    if (!this.on()) return this.media.setEffect('audio', null);
    const { NoiseSuppression, NeedsGestureError } = await import('./effects/noise-suppression');
    if (!this.on()) return;
    await this.media.setEffect('audio', new NoiseSuppression()).catch((err: Error) => {
      if (err instanceof NeedsGestureError) return this.retryOnGesture();
      console.warn(`[confab] noise suppression did not start: ${err.message}`);
      this.setOn(false);
    });
  }

  private waiting = false;
  /** Once the page has a click or a key press, audio may run: start the suppressor then. */
  private retryOnGesture(): void {
    if (this.waiting) return;
    this.waiting = true;
    const retry = () => {
      document.removeEventListener('pointerdown', retry, true);
      document.removeEventListener('keydown', retry, true);
      this.waiting = false;
      if (this.on() && this.media.effect('audio') === null) void this.apply();
    };
    document.addEventListener('pointerdown', retry, true);
    document.addEventListener('keydown', retry, true);
  }

  async toggle(): Promise<void> {
    const next = !this.on();
    this.setOn(next);
    try {
      localStorage.setItem(KEY, next ? 'on' : 'off');
    } catch {
      /* not remembered */
    }
    await this.apply();
  }
}
