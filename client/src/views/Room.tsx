import { createMemo, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { ChatPanel } from '../components/ChatPanel';
import { Icon } from '../components/icons';
import { InviteLink } from '../components/InviteLink';
import { MediaToggles } from '../components/MediaToggles';
import { VideoTile } from '../components/VideoTile';
import { YourRoomPanel, type PersonRow } from '../components/YourRoomPanel';
import type { PeerReach } from '../net/link-recovery';
import type { RoomSession } from '../room-session';
import { fitTiles } from '../tile-layout';

const TILE_GAP_PX = 12;

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
  const people = createMemo((): PersonRow[] => [
    { id: session.selfId, name: self()?.name ?? 'You', micOn: session.media.micOn(), camOn: session.media.camOn(), self: true },
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
      })),
  ]);
  const [stageSize, setStageSize] = createSignal({ width: 0, height: 0 });
  const observer = new ResizeObserver(([entry]) => {
    if (entry) setStageSize({ width: entry.contentRect.width, height: entry.contentRect.height });
  });
  onCleanup(() => observer.disconnect());
  const layout = createMemo(() => fitTiles(session.peers().length, stageSize().width, stageSize().height, 4 / 3, TILE_GAP_PX));
  // Until the stage is measured, tiles get a plain size: a 0×0 video element is never painted.
  const tileStyle = () =>
    layout().tileWidthPx > 0
      ? { '--tile-w': `${layout().tileWidthPx}px`, '--tile-h': `${layout().tileHeightPx}px`, '--gap': `${TILE_GAP_PX}px` }
      : { '--tile-w': '320px', '--tile-h': '240px', '--gap': `${TILE_GAP_PX}px` };
  return (
    <div class="room" classList={{ 'with-side': side() !== 'none' }}>
      <Show when={session.signalingStatus() === 'reconnecting'}>
        <div class="banner" role="status">
          Lost the connection to the room server. Calls in progress go on; reconnecting…
        </div>
      </Show>
      <main class="stage">
        <Show
          when={session.peers().length > 0}
          fallback={
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
                <h1>Waiting for others — share the link</h1>
                <p class="lead">Nobody else is here yet. Anyone who opens this link joins you.</p>
                <InviteLink url={props.inviteUrl} />
              </section>
            </Show>
          }
        >
          <div
            class="grid"
            ref={(el) => observer.observe(el)}
            style={tileStyle()}
          >
            <For each={session.peers()}>
              {(peer) => {
                const record = () => session.participant(peer.id);
                return (
                  <VideoTile
                    peerId={peer.id}
                    stream={peer.stream}
                    name={record()?.name ?? 'Joining…'}
                    micOn={record()?.micOn ?? true}
                    camOn={record()?.camOn ?? true}
                    status={reachLabel(peer.reach(), record()?.name)}
                  />
                );
              }}
            </For>
          </div>
        </Show>
        <div class="self-view">
          <VideoTile
            stream={session.media.stream()}
            name={self()?.name ?? 'You'}
            micOn={session.media.micOn()}
            camOn={session.media.camOn()}
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
        <YourRoomPanel people={people()} inviteUrl={props.inviteUrl} onClose={() => toggle('people')} />
      </Show>
      <nav class="toolbar" aria-label="Call controls">
        <MediaToggles media={session.media} onChange={() => session.publishMediaState()} />
        <button class="round-btn" aria-label="Your room" aria-pressed={side() === 'people'} onClick={() => toggle('people')}>
          <Icon name="people" />
        </button>
        <button class="round-btn" aria-label="Chat" aria-pressed={chatOpen()} onClick={() => toggle('chat')}>
          <Icon name="chat" />
          <Show when={unread() > 0}>
            <span class="badge" aria-label={`${unread()} unread`}>
              {unread()}
            </span>
          </Show>
        </button>
        <button class="round-btn leave" aria-label="Leave" onClick={() => props.onLeave()}>
          <Icon name="leave" />
        </button>
      </nav>
      <Show when={session.media.notice()}>
        <p class="notice floating" role="alert">
          {session.media.notice()}
        </p>
      </Show>
    </div>
  );
}
