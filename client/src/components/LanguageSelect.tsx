import { For, type JSX } from 'solid-js';
import { locale, LOCALE_NAMES, LOCALES, setLocale, t, type Locale } from '../i18n/i18n';

/** The interface language, each named in itself; the choice is remembered on this device. */
export function LanguageSelect(props: { compact?: boolean }): JSX.Element {
  return (
    <label class="language-select" classList={{ compact: props.compact }}>
      <span>{t('settings.language')}</span>
      <select value={locale()} onChange={(e) => void setLocale(e.currentTarget.value as Locale)}>
        <For each={LOCALES}>{(code) => <option value={code} lang={code}>{LOCALE_NAMES[code]}</option>}</For>
      </select>
    </label>
  );
}
