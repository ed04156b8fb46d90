import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';

export function InvalidLink(props: { onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>{t('invalid.title')}</h1>
      <p class="lead">{t('invalid.lead')}</p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        {t('home.create')}
      </button>
    </main>
  );
}
