import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';

const TEXT = {
  ended: { title: 'ended.title', lead: 'ended.lead' },
  removed: { title: 'removed.title', lead: 'removed.lead' },
} as const;

/** Shown in place of the room once the host's signed records say this person may not be in it. */
export function Excluded(props: { reason: keyof typeof TEXT; onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>{t(TEXT[props.reason].title)}</h1>
      <p class="lead">{t(TEXT[props.reason].lead)}</p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        {t('home.create')}
      </button>
    </main>
  );
}
