import { Match, Switch, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';

/** What someone outside a locked room sees in place of the call. */
export function LockedOut(props: { standing: 'locked' | 'knocking' | 'denied'; onKnock(): void }): JSX.Element {
  return (
    <section class="waiting" aria-label={t('locked.label')}>
      <Switch>
        <Match when={props.standing === 'locked'}>
          <h1>{t('locked.title')}</h1>
          <p class="lead">{t('locked.lead')}</p>
          <button class="btn btn-primary btn-large" onClick={() => props.onKnock()}>
            {t('locked.ask')}
          </button>
        </Match>
        <Match when={props.standing === 'knocking'}>
          <h1>{t('knocking.title')}</h1>
          <p class="lead" role="status">
            {t('knocking.lead')}
          </p>
        </Match>
        <Match when={props.standing === 'denied'}>
          <h1>{t('denied.title')}</h1>
          <p class="lead" role="status">
            {t('denied.lead')}
          </p>
        </Match>
      </Switch>
    </section>
  );
}
