import { createSignal, For, Show, type JSX } from 'solid-js';
import type { Knock } from '../session/room-moderation';
import type { Role } from '../session/room-session';
import { Icon } from './icons';
import { InviteLink } from './InviteLink';
import { KnockRequests } from './KnockRequests';
import { QrCode } from './QrCode';
import { initials } from './VideoTile';

export interface PersonRow {
  id: string;
  name: string;
  micOn: boolean;
  camOn: boolean;
  self: boolean;
  role: Role;
  handUpAt?: number | undefined;
}

/** What the host and co-hosts can do from the panel; absent for guests. */
export interface RoomActions {
  lock(): void;
  unlock(): void;
  remove(peerId: string): void;
  makeCohost(peerId: string): void;
  revokeCohost(peerId: string): void;
  endRoom(): void;
  admit(k: Knock): void;
  deny(k: Knock): void;
}

const ROLE_LABEL: Record<Role, string> = { host: 'Host', cohost: 'Co-host', guest: '' };

/** "Your room": who is in, the link (and its QR code); for the host, the room's controls. */
export function YourRoomPanel(props: {
  people: PersonRow[];
  inviteUrl: string;
  /** Only on a host device. */
  hostUrl?: string;
  myRole: Role;
  locked: boolean;
  knocks: Knock[];
  actions: RoomActions;
  onClose(): void;
}): JSX.Element {
  const [confirmEnd, setConfirmEnd] = createSignal(false);
  const [removedName, setRemovedName] = createSignal('');
  const remove = (p: PersonRow) => {
    setRemovedName(p.name);
    props.actions.remove(p.id);
  };
  const moderator = () => props.myRole !== 'guest';
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
        <QrCode text={props.inviteUrl} label="QR code for joining this room" />
        <Show when={moderator()}>
          <div class="room-lock">
            <p class="lock-state" role="status">
              {props.locked ? 'Locked: new people must ask to join.' : 'Open: anyone with the link can join.'}
            </p>
            <button
              class="btn btn-secondary"
              onClick={() => (props.locked ? props.actions.unlock() : props.actions.lock())}
            >
              <Icon name={props.locked ? 'unlock' : 'lock'} size={18} />
              {props.locked ? 'Unlock room' : 'Lock room'}
            </button>
          </div>
          <Show when={removedName() && !props.locked}>
            <p class="fine" role="status">
              {removedName()} was removed. Anyone with the link can still join: lock the room to keep everyone new out.
            </p>
          </Show>
          <Show when={props.knocks.length > 0}>
            <h3 class="people-heading">Asking to join ({props.knocks.length})</h3>
            <KnockRequests knocks={props.knocks} onAdmit={(k) => props.actions.admit(k)} onDeny={(k) => props.actions.deny(k)} />
          </Show>
        </Show>
        <h3 class="people-heading">In this room ({props.people.length})</h3>
        <ul class="people" aria-label="Participants">
          <For each={props.people}>
            {(p) => (
              <li class="person">
                <span class="person-avatar" aria-hidden="true">
                  {initials(p.name)}
                </span>
                <span class="person-name">
                  {p.self ? `${p.name} (you)` : p.name}
                  <Show when={p.role !== 'guest'}>
                    <span class="role-badge">{ROLE_LABEL[p.role]}</span>
                  </Show>
                </span>
                <Show when={p.handUpAt !== undefined}>
                  <span class="hand" role="img" aria-label="Hand raised">
                    <Icon name="hand" size={16} />
                  </span>
                </Show>
                <span class="person-media" role="img" aria-label={`${p.micOn ? 'Mic on' : 'Mic off'}, ${p.camOn ? 'camera on' : 'camera off'}`}>
                  <Icon name={p.micOn ? 'mic' : 'micOff'} size={16} />
                  <Icon name={p.camOn ? 'cam' : 'camOff'} size={16} />
                </span>
                <Show when={!p.self && moderator() && p.role !== 'host'}>
                  <span class="person-actions">
                    <Show when={props.myRole === 'host'}>
                      <button
                        class="btn btn-small btn-secondary"
                        aria-label={`${p.role === 'cohost' ? 'Remove co-host' : 'Make co-host'}: ${p.name}`}
                        onClick={() => (p.role === 'cohost' ? props.actions.revokeCohost(p.id) : props.actions.makeCohost(p.id))}
                      >
                        {p.role === 'cohost' ? 'Remove co-host' : 'Make co-host'}
                      </button>
                    </Show>
                    <button class="btn btn-small btn-danger" aria-label={`Remove ${p.name}`} onClick={() => remove(p)}>
                      Remove
                    </button>
                  </span>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={props.people.length === 1}>
          <p class="fine">Only you so far. Anyone with the invite link can join.</p>
        </Show>
        <Show when={props.hostUrl}>
          {(url) => (
            <div class="host-only">
              <InviteLink url={url()} buttonLabel="Copy host link" fieldLabel="Host link" />
              <p class="fine">Opens this room with host controls on another device. Keep it to yourself.</p>
              <Show
                when={confirmEnd()}
                fallback={
                  <button class="btn btn-danger" onClick={() => setConfirmEnd(true)}>
                    End room for everyone
                  </button>
                }
              >
                <p class="fine" role="alert" ref={(el) => queueMicrotask(() => el.scrollIntoView({ block: 'nearest' }))}>
                  Everyone is disconnected and the link stops working. End the room?
                </p>
                <div class="row">
                  <button class="btn btn-danger" onClick={() => props.actions.endRoom()}>
                    Yes, end the room
                  </button>
                  <button class="btn btn-secondary" onClick={() => setConfirmEnd(false)}>
                    Cancel
                  </button>
                </div>
              </Show>
            </div>
          )}
        </Show>
      </div>
    </aside>
  );
}
