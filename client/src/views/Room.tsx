import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { ChatPanel } from '../components/ChatPanel';
import { Icon } from '../components/icons';
import { InviteLink } from '../components/InviteLink';
import { MediaToggles } from '../components/MediaToggles';
import { VideoTile } from '../components/VideoTile';
import { HandAndReactions } from '../components/HandAndReactions';
import { KnockRequests } from '../components/KnockRequests';
import { LockedOut } from '../components/LockedOut';
import { YourRoomPanel, type PersonRow, type RoomActions } from '../components/YourRoomPanel';
import { SpeakerWatch } from '../media/speaker-watch';
import { hostUrl } from '../net/room-link';
import { exportedHostKey } from '../net/stored-keys';
import type { PeerReach } from '../net/link-recovery';
import type { RoomSession } from '../room-session';
import { fitTiles } from '../tile-layout';

const TILE_GAP_PX = 12;
const FILMSTRIP_TILE_W_PX = 160;
const DEFAULT_TILE_W_PX = 320;
const FILMSTRIP_STYLE = { '--tile-w': `${FILMSTRIP_TILE_W_PX}px`, '--tile-h': '120px', '--gap': `${TILE_GAP_PX}px` };

/** What a tile says about its connection; nothing once connected. */
export function reachLabel(reach: PeerReach, name: string | undefined): string | undefined {
  switch (reach) {
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'unreachable':
      return `Can't reach ${name ?? 'this person'} — your networks may block calls; try another network`;
    default:
      return undefined;
  }
}

export function Room(props: { session: RoomSession; inviteUrl: string; onLeave(): void }): JSX.Element {
  const session = props.session;
  const self = () => session.participant(session.selfId);
  const [side, setSide] = createSignal<'none' | 'chat' | 'people'>('none');
  const chatOpen = () => side() === 'chat';
  const [seenChat, setSeenChat] = createSignal(0);
  const unread = createMemo(() => (chatOpen() ? 0 : Math.max(0, session.chat().length - seenChat())));
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
  const speakers = new SpeakerWatch(() => {
    const receivers = new Map<string, RTCRtpReceiver>();
    for (const peer of session.peers()) {
      const receiver = session.audioReceiver(peer.id);
      if (receiver) receivers.set(peer.id, receiver);
    }
    return receivers;
  });
  onCleanup(() => speakers.stop());
  session.debugSpeakerLevels = () => Object.fromEntries(speakers.lastLevels);
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
  // Whoever shares a screen gets the stage (the first, if several do); cameras go to a strip.
  const presenter = createMemo(() => session.peers().find((peer) => session.participant(peer.id)?.screenOn));
  const outside = () => {
    const standing = session.standing();
    return standing === 'locked' || standing === 'knocking' || standing === 'denied' ? standing : null;
  };
  const [stageSize, setStageSize] = createSignal({ width: 0, height: 0 });
  const observer = new ResizeObserver(([entry]) => {
    if (entry) setStageSize({ width: entry.contentRect.width, height: entry.contentRect.height });
  });
  onCleanup(() => observer.disconnect());
  const layout = createMemo(() => fitTiles(session.peers().length, stageSize().width, stageSize().height, 4 / 3, TILE_GAP_PX));
  createEffect(() => session.setTileWidth(presenter() ? FILMSTRIP_TILE_W_PX : layout().tileWidthPx || DEFAULT_TILE_W_PX));
  // Until the stage is measured, tiles get a plain size: a 0×0 video element is never painted.
  const tileStyle = () =>
    layout().tileWidthPx > 0
      ? { '--tile-w': `${layout().tileWidthPx}px`, '--tile-h': `${layout().tileHeightPx}px`, '--gap': `${TILE_GAP_PX}px` }
      : { '--tile-w': '320px', '--tile-h': '240px', '--gap': `${TILE_GAP_PX}px` };
  return (
    <div class="room" classList={{ 'with-side': side() !== 'none' }}>
      <Show when={session.signalingRefusal()}>
        {(refusal) => (
          <div class="banner" role="alert">
            {refusal().reason === 'room-full'
              ? `This room is full (${refusal().limit} people). You will get in when someone leaves; this page keeps trying.`
              : `This server is hosting as many rooms as it can (${refusal().limit}). This page keeps trying; or ask whoever runs it.`}
          </div>
        )}
      </Show>
      <Show when={session.signalingStatus() === 'reconnecting'}>
        <div class="banner" role="status">
          Lost the connection to the room server. Calls in progress go on; reconnecting…
        </div>
      </Show>
      <main class="stage" classList={{ presenting: presenter() !== undefined }}>
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
          <Show when={presenter()}>
            {(p) => (
              <VideoTile
                peerId={`${p().id}:screen`}
                stream={p().screen}
                name={`Screen shared by ${session.participant(p().id)?.name ?? 'someone'}`}
                micOn
                camOn
                screen
              />
            )}
          </Show>
          <div
            class="grid"
            classList={{ filmstrip: presenter() !== undefined }}
            ref={(el) => observer.observe(el)}
            style={presenter() ? FILMSTRIP_STYLE : tileStyle()}
          >
            <For each={session.peers()}>
              {(peer) => {
                const record = () => session.participant(peer.id);
                return (
                  <VideoTile
                    peerId={peer.id}
                    stream={peer.stream()}
                    name={record()?.name ?? 'Joining…'}
                    micOn={record()?.micOn ?? true}
                    camOn={record()?.camOn ?? true}
                    status={reachLabel(peer.reach(), record()?.name)}
                    speaking={speakers.speaker() === peer.id}
                    handUp={record()?.handUpAt !== undefined}
                    reaction={record()?.reaction}
                  />
                );
              }}
            </For>
          </div>
        </Show>
        {/* Relay mode: the loudest voices arrive on a few fixed slots, whoever is speaking. */}
        <For each={session.relayAudio()}>{(track) => <RelayVoice track={track} />}</For>
        <div class="self-view">
          <VideoTile
            stream={session.media.stream()}
            name={self()?.name ?? 'You'}
            micOn={session.media.micOn()}
            camOn={session.media.camOn()}
            handUp={self()?.handUpAt !== undefined}
            reaction={self()?.reaction}
            self
          />
        </div>
      </main>
      <Show when={chatOpen()}>
        <ChatPanel
          messages={session.chat()}
          selfId={session.selfId}
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
          onClose={() => toggle('people')}
        />
      </Show>
      <Show when={side() !== 'people' && moderation.knocks().length > 0}>
        <KnockRequests knocks={moderation.knocks()} onAdmit={actions.admit} onDeny={actions.deny} floating />
      </Show>
      <nav class="toolbar" aria-label="Call controls">
        <MediaToggles media={session.media} onChange={() => session.publishMediaState()} />
        <Show when={!outside()}>
          <button
            class="round-btn"
            classList={{ active: session.screen.track() !== null }}
            aria-label="Share screen"
            aria-pressed={session.screen.track() !== null}
            title={session.screen.track() ? 'Stop sharing your screen' : 'Share your screen'}
            onClick={() => (session.screen.track() ? session.screen.stop() : void session.screen.start())}
          >
            <Icon name="screen" />
          </button>
          <HandAndReactions
            handUp={self()?.handUpAt !== undefined}
            onHand={(up) => session.setHand(up)}
            onReact={(emoji) => session.react(emoji)}
          />
          <button class="round-btn" aria-label="Your room" aria-pressed={side() === 'people'} onClick={() => toggle('people')}>
            <Icon name="people" />
            <Show when={moderation.knocks().length > 0}>
              <span class="badge" aria-label={`${moderation.knocks().length} asking to join`}>
                {moderation.knocks().length}
              </span>
            </Show>
          </button>
          <button class="round-btn" aria-label="Chat" aria-pressed={chatOpen()} onClick={() => toggle('chat')}>
            <Icon name="chat" />
            <Show when={unread() > 0}>
              <span class="badge" aria-label={`${unread()} unread`}>
                {unread()}
              </span>
            </Show>
          </button>
        </Show>
        <button class="round-btn leave" aria-label="Leave" onClick={() => props.onLeave()}>
          <Icon name="leave" />
        </button>
      </nav>
      <Show when={session.screen.track()}>
        <div class="sharing-bar" role="status">
          You are sharing your screen with everyone in the room.
          <button class="btn btn-small btn-danger" onClick={() => session.screen.stop()}>
            Stop sharing
          </button>
        </div>
      </Show>
      <Show when={session.screen.notice()}>
        <p class="notice floating" role="alert">
          {session.screen.notice()}
        </p>
      </Show>
      <Show when={actionError()}>
        <p class="notice floating" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show when={session.media.notice()}>
        <p class="notice floating" role="alert">
          {session.media.notice()}
        </p>
      </Show>
    </div>
  );
}

function RelayVoice(props: { track: MediaStreamTrack }): JSX.Element {
  return <audio autoplay ref={(el) => (el.srcObject = new MediaStream([props.track]))} />;
}

/** Raised hands first, in the order they went up; everyone else as they were. */
function byRaisedHand(rows: PersonRow[]): PersonRow[] {
  const raised = rows.filter((r) => r.handUpAt !== undefined).sort((a, b) => a.handUpAt! - b.handUpAt!);
  return [...raised, ...rows.filter((r) => r.handUpAt === undefined)];
}
