import { createSignal, type Accessor } from 'solid-js';
import beachUrl from '../assets/backgrounds/beach.svg?url';
import forestUrl from '../assets/backgrounds/forest.svg?url';
import officeUrl from '../assets/backgrounds/office.svg?url';
import type { Key } from '../i18n/i18n';
import { t } from '../i18n/i18n';
import type { BackgroundEffect } from './effects/background';
import type { LocalMedia } from './local-media';

export type BackgroundSetting = { kind: 'none' } | { kind: 'blur' } | { kind: 'image'; id: string };

/** The built-in backgrounds: files of this build. */
export const BUILT_IN_BACKGROUNDS: { id: string; label: Key; url: string }[] = [
  { id: 'beach', label: 'bg.beach', url: beachUrl },
  { id: 'office', label: 'bg.office', url: officeUrl },
  { id: 'forest', label: 'bg.forest', url: forestUrl },
];
export const OWN_IMAGE = 'own';

const SETTING_KEY = 'confab.background';
const OWN_IMAGE_KEY = 'confab.backgroundImage';

function read<T>(key: string): T | null {
  try {
    const v = localStorage.getItem(key);
    return v === null ? null : (JSON.parse(v) as T);
  } catch {
    return null;
  }
}
function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode or too large: not remembered */
  }
}

const isSetting = (v: unknown): v is BackgroundSetting =>
  typeof v === 'object' && v !== null && ((v as BackgroundSetting).kind === 'none' || (v as BackgroundSetting).kind === 'blur' || ((v as BackgroundSetting).kind === 'image' && typeof (v as { id?: unknown }).id === 'string'));

/**
 * Blur background / Replace background, on the join screen and in the call, remembered on this
 * device (your own image too, as a data URL). The segmenter and its model load only when an
 * effect is first turned on. Where the browser cannot run it, the choice stays off with a notice.
 */
export class BackgroundChoice {
  readonly setting: Accessor<BackgroundSetting>;
  readonly notice: Accessor<string | null>;
  readonly starting: Accessor<boolean>;
  readonly ownImage: Accessor<string | null>;
  private readonly setSetting: (s: BackgroundSetting) => void;
  private readonly setNotice: (n: string | null) => void;
  private readonly setStarting: (on: boolean) => void;
  private readonly setOwnImage: (url: string | null) => void;
  private effect: BackgroundEffect | null = null;
  private applying = Promise.resolve();

  constructor(private readonly media: LocalMedia) {
    const stored = read<unknown>(SETTING_KEY);
    [this.setting, this.setSetting] = createSignal<BackgroundSetting>(isSetting(stored) ? stored : { kind: 'none' }, { equals: false });
    [this.notice, this.setNotice] = createSignal<string | null>(null);
    [this.starting, this.setStarting] = createSignal(false);
    [this.ownImage, this.setOwnImage] = createSignal<string | null>(read<string>(OWN_IMAGE_KEY));
  }

  /** The image shown for a setting (null: none, or your own image is gone). */
  imageUrl(id: string): string | null {
    if (id === OWN_IMAGE) return this.ownImage();
    return BUILT_IN_BACKGROUNDS.find((b) => b.id === id)?.url ?? null;
  }

  /** The last image chosen (for Replace background pressed again), else the first built-in. */
  lastImage(): string {
    const s = read<unknown>('confab.backgroundLastImage');
    return typeof s === 'string' && this.imageUrl(s) ? s : BUILT_IN_BACKGROUNDS[0]!.id;
  }

  async choose(setting: BackgroundSetting): Promise<void> {
    this.setSetting(setting);
    write(SETTING_KEY, setting);
    if (setting.kind === 'image') write('confab.backgroundLastImage', setting.id);
    await this.apply();
  }

  /** Your own image: read here (never uploaded), scaled to the camera's size so it keeps in storage. */
  async chooseOwn(file: File): Promise<void> {
    const bitmap = await createImageBitmap(file);
    const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
    const g = canvas.getContext('2d')!;
    const s = Math.max(640 / bitmap.width, 480 / bitmap.height);
    g.drawImage(bitmap, (640 - bitmap.width * s) / 2, (480 - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
    const url = canvas.toDataURL('image/jpeg', 0.85);
    this.setOwnImage(url);
    write(OWN_IMAGE_KEY, url);
    await this.choose({ kind: 'image', id: OWN_IMAGE });
  }

  /** Puts the current setting into effect (queued: quick clicks apply in order). */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow());
    return this.applying;
  }

  /** The effect's timings (for the bench and tests); null while off. */
  stats(): ReturnType<BackgroundEffect['stats']> | null {
    return this.effect?.stats() ?? null;
  }

  private async applyNow(): Promise<void> {
    const setting = this.setting();
    const url = setting.kind === 'image' ? this.imageUrl(setting.id) : null;
    if (setting.kind === 'none' || (setting.kind === 'image' && !url)) {
      await this.media.setEffect('video', null).catch(() => undefined);
      this.effect?.dispose();
      this.effect = null;
      return;
    }
    const look = setting.kind === 'blur' ? ({ kind: 'blur' } as const) : ({ kind: 'image', url: url! } as const);
    this.setNotice(null);
    this.setStarting(true);
    try {
      const { BackgroundEffect, canSegment } = await import('./effects/background');
      if (!canSegment()) throw new UnavailableError();
      if (this.effect) this.effect.setLook(look);
      else this.effect = new BackgroundEffect(look);
      await this.media.setEffect('video', this.effect);
    } catch (err) {
      this.effect?.dispose();
      this.effect = null;
      this.setSetting({ kind: 'none' });
      this.setNotice(err instanceof UnavailableError ? t('bg.unavailable') : t('bg.failed', { message: (err as Error).message }));
    } finally {
      this.setStarting(false);
    }
  }
}

class UnavailableError extends Error {}
