import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';

export function Left(props: { onRejoin(): void; onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>{t('left.title')}</h1>
      <p class="lead">{t('left.lead')}</p>
      <div class="row">
        <button class="btn btn-primary btn-large" onClick={() => props.onRejoin()}>
          {t('left.rejoin')}
        </button>
        <button class="btn btn-secondary btn-large" onClick={() => props.onCreate()}>
          {t('home.create')}
        </button>
      </div>
    </main>
  );
}
