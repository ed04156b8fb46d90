import { Match, Switch, type JSX } from 'solid-js';

/** What someone outside a locked room sees in place of the call. */
export function LockedOut(props: { standing: 'locked' | 'knocking' | 'denied'; onKnock(): void }): JSX.Element {
  return (
    <section class="waiting" aria-label="Locked room">
      <Switch>
        <Match when={props.standing === 'locked'}>
          <h1>This room is locked</h1>
          <p class="lead">The host has locked this room. Ask to join and the host or a co-host can let you in.</p>
          <button class="btn btn-primary btn-large" onClick={() => props.onKnock()}>
            Ask to join
          </button>
        </Match>
        <Match when={props.standing === 'knocking'}>
          <h1>Asking to join…</h1>
          <p class="lead" role="status">
            Waiting for the host to let you in. Nobody in the room sees or hears you until then.
          </p>
        </Match>
        <Match when={props.standing === 'denied'}>
          <h1>The host didn't let you in</h1>
          <p class="lead" role="status">
            Your request to join was declined. The room stays closed to you unless the host unlocks it.
          </p>
        </Match>
      </Switch>
    </section>
  );
}
