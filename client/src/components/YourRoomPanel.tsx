import { For, Show, type JSX } from 'solid-js';
import { Icon } from './icons';
import { InviteLink } from './InviteLink';
import { initials } from './VideoTile';

export interface PersonRow {
  id: string;
  name: string;
  micOn: boolean;
  camOn: boolean;
  self: boolean;
}

/** "Your room": who is in the call right now, and the link to bring more people in. */
export function YourRoomPanel(props: { people: PersonRow[]; inviteUrl: string; onClose(): void }): JSX.Element {
  return (
    <aside class="side-panel" aria-label="Your room">
      <header class="side-header">
        <h2>Your room</h2>
        <button class="icon-btn" aria-label="Close Your room" onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      <div class="side-body">
        <InviteLink url={props.inviteUrl} buttonLabel="Copy invite link" />
        <h3 class="people-heading">In this room ({props.people.length})</h3>
        <ul class="people" aria-label="Participants">
          <For each={props.people}>
            {(p) => (
              <li class="person">
                <span class="person-avatar" aria-hidden="true">
                  {initials(p.name)}
                </span>
                <span class="person-name">{p.self ? `${p.name} (you)` : p.name}</span>
                <span class="person-media" role="img" aria-label={`${p.micOn ? 'Mic on' : 'Mic off'}, ${p.camOn ? 'camera on' : 'camera off'}`}>
                  <Icon name={p.micOn ? 'mic' : 'micOff'} size={16} />
                  <Icon name={p.camOn ? 'cam' : 'camOff'} size={16} />
                </span>
              </li>
            )}
          </For>
        </ul>
        <Show when={props.people.length === 1}>
          <p class="fine">Only you so far. Anyone with the invite link can join.</p>
        </Show>
      </div>
    </aside>
  );
}
