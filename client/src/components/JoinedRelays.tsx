import { For, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { JoinedRelay } from '../topology/joined-relay-list';

/** Where a relay runs, as people know it: the host (and port) of its control socket's URL. */
export function relayHostName(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * For the host and co-hosts: the relays someone joined to the room, whether each carries us, and
 * Approve relay / Revoke approval (a signed `approve-relay` or `revoke-relay` record). A room
 * that is not open to every link holder uses only the approved ones (relay-election.ts).
 */
export function JoinedRelays(props: { relays: JoinedRelay[]; approved: ReadonlySet<string>; onApprove(id: string): void; onRevoke(id: string): void }): JSX.Element {
  return (
    <section class="joined-relays">
      <h3 class="people-heading">{t('relays.heading', { count: props.relays.length })}</h3>
      <p class="fine">{t('relays.note')}</p>
      <ul class="people" aria-label={t('relays.list')}>
        <For each={props.relays}>
          {(relay) => {
            const approved = () => props.approved.has(relay.id);
            return (
              <li class="person relay-row">
                <span class="person-name" title={relay.url}>
                  {relayHostName(relay.url)}
                  <Show when={approved()}>
                    <span class="role-badge">{t('relays.approved')}</span>
                  </Show>
                </span>
                <span class="relay-use" classList={{ 'in-use': relay.inUse }}>
                  {relay.inUse ? t('relays.inUse') : t('relays.notInUse')}
                </span>
                <span class="person-actions">
                  <button
                    class="btn btn-small btn-secondary"
                    onClick={() => (approved() ? props.onRevoke(relay.id) : props.onApprove(relay.id))}
                  >
                    {approved() ? t('relays.revoke') : t('relays.approve')}
                  </button>
                </span>
              </li>
            );
          }}
        </For>
      </ul>
    </section>
  );
}
