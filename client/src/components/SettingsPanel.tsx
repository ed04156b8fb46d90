import { onCleanup, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { canSegment } from '../media/effects/can-segment';
import type { LocalMedia } from '../media/local-media';
import { canSuppressNoise } from '../media/noise-preference';
import { BackgroundChoices } from './BackgroundPicker';
import { LanguageSelect } from './LanguageSelect';

/**
 * Settings (from More): the interface language, and whatever the call adds below it (noise
 * suppression, background). A sheet over the call; Escape or Done closes it.
 */
export function SettingsPanel(props: { onDone(): void; children?: JSX.Element }): JSX.Element {
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onDone();
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
  return (
    <div class="settings-panel" role="dialog" aria-label={t('settings.title')}>
      <h2>{t('settings.title')}</h2>
      <LanguageSelect />
      {props.children}
      <button class="btn btn-small" onClick={() => props.onDone()}>
        {t('common.done')}
      </button>
    </div>
  );
}

/** The call's part of Settings: noise suppression, background, and the shortcuts list. */
export function CallSettings(props: { media: LocalMedia; onShortcuts(): void }): JSX.Element {
  return (
    <>
      <Show when={canSuppressNoise()}>
        <div>
          <label class="switch-row">
            <span>{t('noise.toggle')}</span>
            <input type="checkbox" checked={props.media.noise.on()} onChange={() => void props.media.noise.toggle()} />
          </label>
          <p class="fine settings-hint">{t('settings.noiseHint')}</p>
        </div>
      </Show>
      <Show when={canSegment()}>
        <section class="settings-section" aria-label={t('settings.background')}>
          <h3>{t('settings.background')}</h3>
          <BackgroundChoices choice={props.media.background} />
        </section>
      </Show>
      <Show when={hasKeyboard()}>
        <button class="btn btn-small btn-secondary settings-link" onClick={() => props.onShortcuts()}>
          {t('toolbar.shortcuts')}
        </button>
      </Show>
    </>
  );
}

/** A touch screen with no fine pointer is taken for a phone or tablet: no shortcuts to list. */
export const hasKeyboard = (): boolean => !matchMedia('(hover: none) and (pointer: coarse)').matches;
