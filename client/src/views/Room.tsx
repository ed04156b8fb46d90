import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { Notice } from '../components/Notice';
import { CallToolbar } from '../components/CallToolbar';
import { ChatPanel } from '../components/ChatPanel';
import { createCompactScreen } from '../components/compact-screen';
import { InviteLink } from '../components/InviteLink';
import { Stage } from '../components/Stage';
import { VideoTile } from '../components/VideoTile';
import { KnockRequests } from '../components/KnockRequests';
import { LockedOut } from '../components/LockedOut';
import { YourRoomPanel, type PersonRow, type RoomActions } from '../components/YourRoomPanel';
import { canChooseSpeaker } from '../media/browser-features';
import { QualityWatch } from '../media/stats/quality-watch';
import { SpeakerWatch } from '../media/speaking/speaker-watch';
import { hostUrl } from '../../../crdt/identity/room-link';
import { exportedHostKey } from '../storage/stored-keys';
import type { RoomSession } from '../session/room-session';
import { exposeSpeakerLevels } from '../test-hooks/debug-hooks';
import { roomMenuItems } from './room-menu-items';

export function Room(props: { session: RoomSession; inviteUrl: string; onLeave(): void }): JSX.Element {
  const session = props.session;
  const self = () => session.participant(session.selfId);
  const [side, setSide] = createSignal<'none' | 'chat' | 'people'>('none');
  const chatOpen = () => side() === 'chat';
  const [seenChat, setSeenChat] = createSignal(0);
  // Read while the panel is open, or written by us: neither counts as unread later.
  createEffect(() => {
    if (chatOpen()) setSeenChat(session.chat().length);
  });
  const unread = createMemo(() =>
    chatOpen() ? 0 : session.chat().slice(seenChat()).filter((m) => m.from !== session.selfId).length,
  );
  const toggle = (panel: 'chat' | 'people') => {
    if (panel === 'chat' || chatOpen()) setSeenChat(session.chat().length);
    setSide(side() === panel ? 'none' : panel);
  };
  const people = createMemo((): PersonRow[] => byRaisedHand([
    { id: session.selfId, name: self()?.name ?? 'You', micOn: session.media.micOn(), camOn: session.media.camOn(), self: true, role: session.role(), handUpAt: self()?.handUpAt },
    ...session
      .peers()
      .map((peer) => ({ peer, record: session.participant(peer.id) }))
      .sort((a, b) => (a.record?.joinedAt ?? Infinity) - (b.record?.joinedAt ?? Infinity))
      .map(({ peer, record }) => ({
        id: peer.id,
        name: record?.name ?? 'Joining…',
        micOn: record?.micOn ?? true,
        camOn: record?.camOn ?? true,
        self: false,
        role: session.roleOf(peer.id),
        handUpAt: record?.handUpAt,
      })),
  ]));
  const speakers = new SpeakerWatch(() => byPeer(session, (id) => session.remote.audioReceiver(id)));
  onCleanup(() => speakers.stop());
  const quality = new QualityWatch(() => session.remote.qualitySources(), session.media.camOn);
  onCleanup(() => quality.stop());
  // Through the relay the levels stay on the relay, which says whom it ranks loudest.
  const speaker = () => (session.topology() === 'relay' ? session.remote.relaySpeaker() : speakers.speaker());
  if (import.meta.env.MODE === 'test-hooks') exposeSpeakerLevels(() => Object.fromEntries(speakers.lastLevels));
  const [actionError, setActionError] = createSignal('');
  const act = (what: string, action: () => Promise<void>) => () => {
    setActionError('');
    action().catch((err: unknown) => setActionError(`Could not ${what}: ${(err as Error).message}`));
  };
  const moderation = session.moderation;
  const actions: RoomActions = {
    lock: act('lock the room', () => moderation.lock()),
    unlock: act('unlock the room', () => moderation.unlock()),
    remove: (id) => act('remove them', () => moderation.remove(id))(),
    makeCohost: (id) => act('make them co-host', () => moderation.makeCohost(id))(),
    revokeCohost: (id) => act('remove their co-host role', () => moderation.revokeCohost(id))(),
    endRoom: act('end the room', () => moderation.endRoom()),
    admit: (k) => act(`admit ${k.name}`, () => moderation.admit(k))(),
    deny: (k) => act(`deny ${k.name}`, () => moderation.deny(k))(),
  };
  const [hostLink] = createResource(session.hostHeld, async () => {
    const key = await exportedHostKey(session.link.roomId);
    return key ? hostUrl(session.link, key, location) : undefined;
  });
  const outside = () => {
    const standing = session.standing();
    return standing === 'locked' || standing === 'knocking' || standing === 'denied' ? standing : null;
  };
  const compact = createCompactScreen();
  const [devicesOpen, setDevicesOpen] = createSignal(false);
  const menuItems = roomMenuItems({
    session,
    self,
    outside: () => outside() !== null,
    yourRoomOpen: () => side() === 'people',
    toggleYourRoom: () => toggle('people'),
    openDevices: () => setDevicesOpen(true),
  });
  return (
    <div class="room" classList={{ 'with-side': side() !== 'none', compact: compact() }}>
      <Show when={session.signalingRefusal()}>
        {(refusal) => (
          <div class="banner" role="alert">
            {refusal().reason === 'room-full'
              ? `This room is full (${refusal().limit} people). You will get in when someone leaves; this page keeps trying.`
              : refusal().reason === 'address-full'
                ? `Your network already takes part in as many rooms as this server allows one network (${refusal().limit}). This page keeps trying; or ask whoever runs it.`
                : `This server is hosting as many rooms as it can (${refusal().limit}). This page keeps trying; or ask whoever runs it.`}
          </div>
        )}
      </Show>
      <Show when={session.relayLost()}>
        <div class="banner" role="status">
          The relay node can’t be reached: this call runs directly between browsers for now, which is heavier on
          your device and network, so only whoever is speaking sends video. Trying the relay again…
        </div>
      </Show>
      <Show when={session.signalingStatus() === 'reconnecting'}>
        <div class="banner" role="status">
          Lost the connection to the room server. Calls in progress go on; reconnecting…
        </div>
      </Show>
      <main class="stage">
        <Show when={outside()}>{(standing) => <LockedOut standing={standing()} onKnock={() => session.knock()} />}</Show>
        <Show
          when={!outside() && session.peers().length > 0}
          fallback={
            <Show when={!outside()}>
              <Show
                when={!session.linkRejected()}
                fallback={
                  <section class="waiting" aria-label="Link not valid" role="alert">
                    <h1>This link is not valid or the room has ended</h1>
                    <p class="lead">
                      People are in this room, but your link’s secret does not match theirs. Ask for the link again and
                      open all of it, including everything after the #.
                    </p>
                  </section>
                }
              >
                <section class="waiting" aria-label="Waiting for others">
                  <Show when={!session.signalingRefusal()} fallback={<h1>Waiting for a place in this room</h1>}>
                    <h1>Waiting for others — share the link</h1>
                    <p class="lead">Nobody else is here yet. Anyone who opens this link joins you.</p>
                    <InviteLink url={props.inviteUrl} />
                  </Show>
                </section>
              </Show>
            </Show>
          }
        >
          <Stage session={session} speaker={speaker} quality={quality} />
        </Show>
        {/* Relay mode: the loudest voices arrive on a few fixed slots, whoever is speaking. */}
        <For each={session.remote.relayAudio()}>{(track) => <RelayVoice track={track} sinkId={session.media.devices.chosen('audiooutput')} />}</For>
        <div class="self-view">
          <VideoTile
            stream={session.media.stream()}
            name={self()?.name ?? 'You'}
            micOn={session.media.micOn()}
            camOn={session.media.camOn()}
            handUp={self()?.handUpAt !== undefined}
            reaction={self()?.reaction}
            quality={quality.self() ?? undefined}
            self
          />
        </div>
      </main>
      <Show when={chatOpen()}>
        <ChatPanel
          messages={session.chat()}
          selfId={session.selfId}
          fullScreen={compact()}
          onSend={(text) => session.sendChat(text)}
          onClose={() => toggle('chat')}
        />
      </Show>
      <Show when={side() === 'people'}>
        <YourRoomPanel
          people={people()}
          inviteUrl={props.inviteUrl}
          hostUrl={hostLink()}
          myRole={session.role()}
          locked={session.controlState().locked}
          knocks={moderation.knocks()}
          actions={actions}
          fullScreen={compact()}
          onClose={() => toggle('people')}
        />
      </Show>
      <Show when={side() !== 'people' && moderation.knocks().length > 0}>
        <KnockRequests knocks={moderation.knocks()} onAdmit={actions.admit} onDeny={actions.deny} floating />
      </Show>
      <CallToolbar
        media={session.media}
        onMediaChange={() => session.publishMediaState()}
        items={menuItems}
        compact={compact()}
        chat={{ shown: !outside(), open: chatOpen(), unread: unread(), toggle: () => toggle('chat') }}
        devicesOpen={devicesOpen()}
        onDevicesDone={() => setDevicesOpen(false)}
        onLeave={() => props.onLeave()}
      />
      <Show when={session.screen.track()}>
        <div class="sharing-bar" role="status">
          You are sharing your screen with everyone in the room.
          <button class="btn btn-small btn-danger" onClick={() => session.screen.stop()}>
            Stop sharing
          </button>
        </div>
      </Show>
      <Notice floating message={session.screen.notice()} />
      <Notice floating message={actionError()} />
      <Notice floating when={quality.uplinkTooThin()}>
        Your connection is too slow to send video right now: others may see you frozen or blurry. Turning your camera
        off keeps your voice clear.
      </Notice>
      <Notice floating message={session.media.notice()} />
    </div>
  );
}

/** What `pick` finds for each remote peer, by peer id (peers it finds nothing for left out). */
function byPeer<T>(session: RoomSession, pick: (peerId: string) => T | undefined): Map<string, T> {
  const found = new Map<string, T>();
  for (const peer of session.peers()) {
    const value = pick(peer.id);
    if (value !== undefined) found.set(peer.id, value);
  }
  return found;
}

/** A voice through the relay, played through the chosen speaker where the browser can route audio. */
function RelayVoice(props: { track: MediaStreamTrack; sinkId: string }): JSX.Element {
  let audio: HTMLAudioElement | undefined;
  createEffect(() => {
    const sinkId = props.sinkId;
    if (!audio || !canChooseSpeaker() || audio.sinkId === sinkId) return;
    audio.setSinkId(sinkId).catch((err: Error) => console.warn(`[confab] speaker choice not applied: ${err.message}`));
  });
  return (
    <audio
      autoplay
      ref={(el) => {
        audio = el;
        el.srcObject = new MediaStream([props.track]);
      }}
    />
  );
}

/** Raised hands first, in the order they went up; everyone else as they were. */
function byRaisedHand(rows: PersonRow[]): PersonRow[] {
  const raised = rows.filter((r) => r.handUpAt !== undefined).sort((a, b) => a.handUpAt! - b.handUpAt!);
  return [...raised, ...rows.filter((r) => r.handUpAt === undefined)];
}
