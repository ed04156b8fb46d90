import { onCleanup, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
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
