import { createSignal, For, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { Knock } from '../session/room-moderation';
import type { Role } from '../session/room-moderation';
import { Icon } from './icons';
import { InviteLink } from './InviteLink';
import { JoinedRelays } from './JoinedRelays';
import type { JoinedRelay } from '../topology/joined-relay-list';
import { KnockRequests } from './KnockRequests';
import { PanelHeader } from './PanelHeader';
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
  recording?: boolean;
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
  approveRelay(relayId: string): void;
  revokeRelay(relayId: string): void;
}

const ROLE_LABEL = { host: () => t('people.host'), cohost: () => t('people.cohost'), guest: () => '' } satisfies Record<Role, () => string>;

/** "Your room": who is in, the link (and its QR code); for the host, the room's controls. */
export function YourRoomPanel(props: {
  people: PersonRow[];
  inviteUrl: string;
  /** Only on a host device. */
  hostUrl?: string;
  myRole: Role;
  locked: boolean;
  knocks: Knock[];
  /** Relays joined to the room (shown to the host and co-hosts), and the ids the records approve. */
  relays: JoinedRelay[];
  approvedRelays: ReadonlySet<string>;
  actions: RoomActions;
  /** Over the whole screen (a phone), with a Back button. */
  fullScreen?: boolean;
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
    <aside class="side-panel" aria-label={t('toolbar.yourRoom')}>
      <PanelHeader title={t('toolbar.yourRoom')} closeLabel={t('people.close')} fullScreen={props.fullScreen ?? false} onClose={() => props.onClose()} />
      <div class="side-body">
        <InviteLink url={props.inviteUrl} buttonLabel={t('invite.copyInvite')} />
        <QrCode text={props.inviteUrl} label={t('people.qr')} />
        <Show when={moderator()}>
          <div class="room-lock">
            <p class="lock-state" role="status">
              {props.locked ? t('people.locked') : t('people.open')}
            </p>
            <button
              class="btn btn-secondary"
              onClick={() => (props.locked ? props.actions.unlock() : props.actions.lock())}
            >
              <Icon name={props.locked ? 'unlock' : 'lock'} size={18} />
              {props.locked ? t('people.unlock') : t('people.lock')}
            </button>
          </div>
          <Show when={removedName() && !props.locked}>
            <p class="fine" role="status">
              {t('people.removedNote', { name: removedName() })}
            </p>
          </Show>
          <Show when={props.knocks.length > 0}>
            <h3 class="people-heading">{t('people.askingHeading', { count: props.knocks.length })}</h3>
            <KnockRequests knocks={props.knocks} onAdmit={(k) => props.actions.admit(k)} onDeny={(k) => props.actions.deny(k)} />
          </Show>
        </Show>
        <h3 class="people-heading">{t('people.inRoom', { count: props.people.length })}</h3>
        <ul class="people" aria-label={t('people.list')}>
          <For each={props.people}>
            {(p) => (
              <li class="person">
                <span class="person-avatar" aria-hidden="true">
                  {initials(p.name)}
                </span>
                <span class="person-name">
                  {p.self ? t('people.you', { name: p.name }) : p.name}
                  <Show when={p.role !== 'guest'}>
                    <span class="role-badge">{ROLE_LABEL[p.role]()}</span>
                  </Show>
                </span>
                <Show when={p.recording}>
                  <span class="rec-mark">{t('people.recording')}</span>
                </Show>
                <Show when={p.handUpAt !== undefined}>
                  <span class="hand" role="img" aria-label={t('people.handRaised')}>
                    <Icon name="hand" size={16} />
                  </span>
                </Show>
                <span class="person-media" role="img" aria-label={t('people.media', { mic: p.micOn ? t('people.micOn') : t('people.micOff'), cam: p.camOn ? t('people.camOn') : t('people.camOff') })}>
                  <Icon name={p.micOn ? 'mic' : 'micOff'} size={16} />
                  <Icon name={p.camOn ? 'cam' : 'camOff'} size={16} />
                </span>
                <Show when={!p.self && moderator() && p.role !== 'host'}>
                  <span class="person-actions">
                    <Show when={props.myRole === 'host'}>
                      <button
                        class="btn btn-small btn-secondary"
                        aria-label={`${p.role === 'cohost' ? t('people.removeCohost') : t('people.makeCohost')}: ${p.name}`}
                        onClick={() => (p.role === 'cohost' ? props.actions.revokeCohost(p.id) : props.actions.makeCohost(p.id))}
                      >
                        {p.role === 'cohost' ? t('people.removeCohost') : t('people.makeCohost')}
                      </button>
                    </Show>
                    <button class="btn btn-small btn-danger" aria-label={t('people.removeName', { name: p.name })} onClick={() => remove(p)}>
                      {t('people.remove')}
                    </button>
                  </span>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={props.people.length === 1}>
          <p class="fine">{t('people.onlyYou')}</p>
        </Show>
        <Show when={moderator() && props.relays.length > 0}>
          <JoinedRelays
            relays={props.relays}
            approved={props.approvedRelays}
            onApprove={(id) => props.actions.approveRelay(id)}
            onRevoke={(id) => props.actions.revokeRelay(id)}
          />
        </Show>
        <Show when={props.hostUrl}>
          {(url) => (
            <div class="host-only">
              <InviteLink url={url()} buttonLabel={t('invite.copyHost')} fieldLabel={t('invite.hostField')} shareable={false} />
              <p class="fine">{t('people.hostNote')}</p>
              <Show
                when={confirmEnd()}
                fallback={
                  <button class="btn btn-danger" onClick={() => setConfirmEnd(true)}>
                    {t('people.end')}
                  </button>
                }
              >
                <p class="fine" role="alert" ref={(el) => queueMicrotask(() => el.scrollIntoView({ block: 'nearest' }))}>
                  {t('people.endConfirm')}
                </p>
                <div class="row">
                  <button class="btn btn-danger" onClick={() => props.actions.endRoom()}>
                    {t('people.endYes')}
                  </button>
                  <button class="btn btn-secondary" onClick={() => setConfirmEnd(false)}>
                    {t('common.cancel')}
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
