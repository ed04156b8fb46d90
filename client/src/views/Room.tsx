import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { Notice } from '../components/Notice';
import { t } from '../i18n/i18n';
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
import { PictureInPicture } from '../media/picture-in-picture';
import { LocalRecording } from '../media/recording/local-recording';
import { installShortcuts } from '../components/shortcuts';
import { CallSettings, SettingsPanel } from '../components/SettingsPanel';
import { BackgroundPicker } from '../components/BackgroundPicker';
import { ShortcutsHelp } from '../components/ShortcutsHelp';

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
    { id: session.selfId, name: self()?.name ?? t('common.you'), micOn: session.media.micOn(), camOn: session.media.camOn(), self: true, role: session.role(), handUpAt: self()?.handUpAt, recording: self()?.recordingSince !== undefined },
    ...session
      .peers()
      .map((peer) => ({ peer, record: session.participant(peer.id) }))
      .sort((a, b) => (a.record?.joinedAt ?? Infinity) - (b.record?.joinedAt ?? Infinity))
      .map(({ peer, record }) => ({
        id: peer.id,
        name: record?.name ?? t('common.joining'),
        micOn: record?.micOn ?? true,
        camOn: record?.camOn ?? true,
        self: false,
        role: session.roleOf(peer.id),
        handUpAt: record?.handUpAt,
        recording: record?.recordingSince !== undefined,
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
    action().catch((err: unknown) => setActionError(t('room.couldNot', { what, message: (err as Error).message })));
  };
  const moderation = session.moderation;
  const actions: RoomActions = {
    lock: act(t('room.act.lock'), () => moderation.lock()),
    unlock: act(t('room.act.unlock'), () => moderation.unlock()),
    remove: (id) => act(t('room.act.remove'), () => moderation.remove(id))(),
    makeCohost: (id) => act(t('room.act.makeCohost'), () => moderation.makeCohost(id))(),
    revokeCohost: (id) => act(t('room.act.revokeCohost'), () => moderation.revokeCohost(id))(),
    endRoom: act(t('room.act.end'), () => moderation.endRoom()),
    admit: (k) => act(t('room.act.admit', { name: k.name }), () => moderation.admit(k))(),
    deny: (k) => act(t('room.act.deny', { name: k.name }), () => moderation.deny(k))(),
    approveRelay: (id) => act(t('room.act.approveRelay'), () => moderation.approveRelay(id))(),
    revokeRelay: (id) => act(t('room.act.revokeRelay'), () => moderation.revokeRelay(id))(),
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
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  const [backgroundsOpen, setBackgroundsOpen] = createSignal(false);
  const [helpOpen, setHelpOpen] = createSignal(false);
  const [talking, setTalking] = createSignal(false);
  const media = session.media;
  onCleanup(
    installShortcuts({
      toggleMic: () => {
        media.toggleMic();
        session.publishMediaState();
      },
      toggleCam: () => void media.toggleCam().then(() => session.publishMediaState()),
      micOn: media.micOn,
      holdToTalk: (on) => {
        media.setMic(on);
        setTalking(on && media.micOn());
        session.publishMediaState();
      },
      toggleHelp: () => setHelpOpen(!helpOpen()),
    }),
  );
  const recording = new LocalRecording((on) => session.setRecording(on));
  onCleanup(() => void recording.stop());
  let stageElement: HTMLElement | undefined;
  const [lastSpoke, setLastSpoke] = createSignal<string | null>(null);
  createEffect(() => {
    const now = speaker();
    if (now !== null) setLastSpoke(now);
  });
  // Picture-in-picture shows the shared screen, else whoever speaks (or spoke last), else the first person.
  const pip = new PictureInPicture(() => {
    const peers = session.peers();
    const presenter = peers.find((p) => session.participant(p.id)?.screenOn);
    if (presenter) return { stream: presenter.screen(), name: t('tile.screenBy', { name: session.participant(presenter.id)?.name ?? '' }) };
    const id = speaker() ?? lastSpoke();
    const peer = peers.find((p) => p.id === id) ?? peers[0];
    return peer ? { stream: peer.stream(), name: session.participant(peer.id)?.name ?? t('common.joining') } : null;
  });
  const menuItems = roomMenuItems({
    session,
    self,
    outside: () => outside() !== null,
    yourRoomOpen: () => side() === 'people',
    toggleYourRoom: () => toggle('people'),
    openDevices: () => setDevicesOpen(true),
    openSettings: () => setSettingsOpen(true),
    openShortcuts: () => setHelpOpen(true),
    pip,
    recording,
    toggleRecording: () => void recording.toggle(stageElement),
    openBackgrounds: () => setBackgroundsOpen(true),
  });
  return (
    <div class="room" classList={{ 'with-side': side() !== 'none', compact: compact() }}>
      <Show when={session.signalingRefusal()}>
        {(refusal) => (
          <div class="banner" role="alert">
            {refusal().reason === 'room-full'
              ? t('room.full', { limit: refusal().limit })
              : refusal().reason === 'address-full'
                ? t('room.addressFull', { limit: refusal().limit })
                : t('room.serverFull', { limit: refusal().limit })}
          </div>
        )}
      </Show>
      <Show when={session.relayLost()}>
        <div class="banner" role="status">
          {t('room.relayLost')}
        </div>
      </Show>
      <Show when={session.signalingStatus() === 'reconnecting'}>
        <div class="banner" role="status">
          {t('room.reconnecting')}
        </div>
      </Show>
      <main class="stage" ref={stageElement}>
        <Show when={outside()}>{(standing) => <LockedOut standing={standing()} onKnock={() => session.knock()} />}</Show>
        <Show
          when={!outside() && session.peers().length > 0}
          fallback={
            <Show when={!outside()}>
              <Show
                when={!session.linkRejected()}
                fallback={
                  <section class="waiting" aria-label={t('room.linkInvalid')} role="alert">
                    <h1>{t('room.linkInvalidTitle')}</h1>
                    <p class="lead">{t('room.linkInvalidLead')}</p>
                  </section>
                }
              >
                <section class="waiting" aria-label={t('room.waiting')}>
                  <Show when={!session.signalingRefusal()} fallback={<h1>{t('room.waitingPlace')}</h1>}>
                    <h1>{t('room.waitingTitle')}</h1>
                    <p class="lead">{t('room.waitingLead')}</p>
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
            name={self()?.name ?? t('common.you')}
            micOn={session.media.micOn()}
            camOn={session.media.camOn()}
            handUp={self()?.handUpAt !== undefined}
            reaction={self()?.reaction}
            quality={quality.self() ?? undefined}
            recording={self()?.recordingSince !== undefined}
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
          relays={session.switch.joined.relays()}
          approvedRelays={session.controlState().approvedRelays}
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
      <Show when={settingsOpen()}>
        <SettingsPanel onDone={() => setSettingsOpen(false)}>
          <CallSettings media={session.media} onShortcuts={() => (setSettingsOpen(false), setHelpOpen(true))} />
        </SettingsPanel>
      </Show>
      <Show when={backgroundsOpen()}>
        <BackgroundPicker choice={session.media.background} onDone={() => setBackgroundsOpen(false)} />
      </Show>
      <Notice floating message={session.media.background.notice()} />
      <Show when={helpOpen()}>
        <ShortcutsHelp onClose={() => setHelpOpen(false)} />
      </Show>
      <Show when={talking()}>
        <div class="ptt-badge" role="status">
          {t('keys.talking')}
        </div>
      </Show>
      <Show when={recording.recording()}>
        <div class="recording-bar" role="status">
          <span class="rec-mark">{t('rec.mark')}</span>
          {t('rec.running')}
          <button class="btn btn-small btn-danger" onClick={() => void recording.toggle(stageElement)}>
            {t('rec.stop')}
          </button>
        </div>
      </Show>
      <Show when={recording.notice()}>
        <p class="notice floating" role="status">
          {recording.notice()}
        </p>
      </Show>
      <Show when={session.screen.track()}>
        <div class="sharing-bar" role="status">
          {t('room.sharing')}
          <button class="btn btn-small btn-danger" onClick={() => session.screen.stop()}>
            {t('room.stopSharing')}
          </button>
        </div>
      </Show>
      <Notice floating message={session.screen.notice()} />
      <Notice floating message={actionError()} />
      <Notice floating when={quality.uplinkTooThin()}>
        {t('room.uplinkThin')}
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
