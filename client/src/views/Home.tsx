import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { LanguageSelect } from '../components/LanguageSelect';

export function Home(props: { onCreate(): void }): JSX.Element {
  return (
    <main class="page home">
      <div class="brand">Confab</div>
      <h1>{t('home.title')}</h1>
      <p class="lead">{t('home.lead')}</p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        {t('home.create')}
      </button>
      <p class="fine">{t('home.fine')}</p>
      <LanguageSelect compact />
    </main>
  );
}
