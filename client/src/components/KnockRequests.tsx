import { For, type JSX } from 'solid-js';
import type { Knock } from '../session/room-moderation';

/** People asking to join a locked room, each with Admit and Deny. */
export function KnockRequests(props: { knocks: Knock[]; onAdmit(k: Knock): void; onDeny(k: Knock): void; floating?: boolean }): JSX.Element {
  return (
    <section class="knocks" classList={{ floating: props.floating }} aria-label="Asking to join">
      <For each={props.knocks}>
        {(knock) => (
          <div class="knock" role="alert">
            <span class="knock-text">
              <strong>{knock.name}</strong> is asking to join
            </span>
            <button class="btn btn-primary" aria-label={`Admit ${knock.name}`} onClick={() => props.onAdmit(knock)}>
              Admit
            </button>
            <button class="btn btn-secondary" aria-label={`Deny ${knock.name}`} onClick={() => props.onDeny(knock)}>
              Deny
            </button>
          </div>
        )}
      </For>
    </section>
  );
}
