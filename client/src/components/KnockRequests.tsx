import { For, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { Knock } from '../session/room-moderation';

/** People asking to join a locked room, each with Admit and Deny. */
export function KnockRequests(props: { knocks: Knock[]; onAdmit(k: Knock): void; onDeny(k: Knock): void; floating?: boolean }): JSX.Element {
  return (
    <section class="knocks" classList={{ floating: props.floating }} aria-label={t('knock.label')}>
      <For each={props.knocks}>
        {(knock) => (
          <div class="knock" role="alert">
            <span class="knock-text">
              <strong>{knock.name}</strong> {t('knock.asking')}
            </span>
            <button class="btn btn-primary" aria-label={t('knock.admitName', { name: knock.name })} onClick={() => props.onAdmit(knock)}>
              {t('knock.admit')}
            </button>
            <button class="btn btn-secondary" aria-label={t('knock.denyName', { name: knock.name })} onClick={() => props.onDeny(knock)}>
              {t('knock.deny')}
            </button>
          </div>
        )}
      </For>
    </section>
  );
}
