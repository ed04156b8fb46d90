import { createEffect, createSignal, lazy, Match, onCleanup, Show, Switch, type JSX } from 'solid-js';
import { LocalMedia } from './media/local-media';
import { formatRoomHash, inviteUrl, newRoomLink, parseRoomHash, type RoomLink } from '../../crdt/identity/room-link';
import { newHostedRoomId } from './storage/stored-keys';
import { RoomSession } from './session/room-session';
import { exposeDebugHooks } from './test-hooks/debug-hooks';
import { TestRoomSession } from './test-hooks/test-room-session';
import { Home } from './views/Home';
import { InvalidLink } from './views/InvalidLink';
import { Join } from './views/Join';
import { Excluded } from './views/Excluded';
import { Left } from './views/Left';

/**
 * The call's own interface is a chunk of its own: the home page does not download it, and the
 * join screen starts fetching it while the camera starts (so Join does not wait for it).
 */
const loadRoom = () => import('./views/Room');
const Room = lazy(() => loadRoom().then((m) => ({ default: m.Room })));

type Screen =
  | { kind: 'home' }
  | { kind: 'invalid' }
  | { kind: 'join'; link: RoomLink; session: RoomSession }
  | { kind: 'room'; link: RoomLink; session: RoomSession }
  | { kind: 'left'; link: RoomLink };

const CREATED_KEY = 'confab.created';
/** The room this tab is in, so a reload (or a crash and restore) goes straight back in. */
const IN_ROOM_KEY = 'confab.inRoom';

function screenForHash(hash: string): Screen {
  const parsed = parseRoomHash(hash);
  if (parsed.kind === 'none') return { kind: 'home' };
  if (parsed.kind === 'invalid') return { kind: 'invalid' };
  // A host link: keep the key, but show the invite link so it is not shared by accident.
  if (parsed.hostKey) history.replaceState(null, '', formatRoomHash(parsed.link));
  return joinScreen(parsed.link, parsed.hostKey);
}

function joinScreen(link: RoomLink, hostKey?: string): Screen {
  void loadRoom();
  // The test build's session carries what window.confabDebug reads; the production build drops it.
  const session = import.meta.env.MODE === 'test-hooks' ? new TestRoomSession(link, new LocalMedia(), hostKey) : new RoomSession(link, new LocalMedia(), hostKey);
  return { kind: 'join', link, session };
}

export function App(): JSX.Element {
  const [screen, setScreen] = createSignal<Screen>(screenForHash(location.hash));
  const linkUrl = (link: RoomLink) => inviteUrl(link, location);

  const leaveCurrent = () => {
    const s = screen();
    if (s.kind === 'room' || s.kind === 'join') {
      s.session.leave();
      s.session.media.stop();
    }
  };
  const onHashChange = () => {
    leaveCurrent();
    setScreen(screenForHash(location.hash));
  };
  window.addEventListener('hashchange', onHashChange);
  // Closing the tab: tell the others at once rather than letting them time out.
  const onPageHide = () => leaveCurrent();
  window.addEventListener('pagehide', onPageHide);
  onCleanup(() => {
    window.removeEventListener('hashchange', onHashChange);
    window.removeEventListener('pagehide', onPageHide);
  });

  const create = async () => {
    // A page opened as `#relay=…` (a static host), or in a room on another signaling relay, keeps using it.
    const here = parseRoomHash(location.hash);
    const signalingUrl = here.kind === 'none' ? here.signalingUrl : here.kind === 'room' ? here.link.signalingUrl : undefined;
    const link = newRoomLink(await newHostedRoomId(), signalingUrl);
    sessionStorage.setItem(CREATED_KEY, link.roomId);
    location.hash = formatRoomHash(link);
  };
  const join = (link: RoomLink, session: RoomSession, name: string) => {
    sessionStorage.setItem(IN_ROOM_KEY, link.roomId);
    if (import.meta.env.MODE === 'test-hooks') exposeDebugHooks(session as TestRoomSession);
    // Started first: the room view renders while the session awaits its keys and signaling.
    void session.start(name);
    setScreen({ kind: 'room', link, session });
  };

  return (
    <Switch>
      <Match when={screen().kind === 'home'}>
        <Home onCreate={() => void create()} />
      </Match>
      <Match when={screen().kind === 'invalid'}>
        <InvalidLink onCreate={() => void create()} />
      </Match>
      <Match when={((s) => (s.kind === 'join' ? s : false))(screen())}>
        {(s) => {
          // This browser's copy of the room may already say it ended, or that we were removed.
          const excluded = () => {
            const state = s().session.controlState();
            return state.ended ? 'ended' : state.removed.has(s().session.selfKey) ? 'removed' : null;
          };
          createEffect(() => {
            if (excluded()) s().session.media.stop();
          });
          return (
            <Show when={!excluded()} fallback={<Excluded reason={excluded() ?? 'ended'} onCreate={() => void create()} />}>
              <Join
                media={s().session.media}
                ready={s().session.prepared}
                inviteUrl={linkUrl(s().link)}
                justCreated={sessionStorage.getItem(CREATED_KEY) === s().link.roomId}
                autoJoin={sessionStorage.getItem(IN_ROOM_KEY) === s().link.roomId}
                onJoin={(name) => join(s().link, s().session, name)}
              />
            </Show>
          );
        }}
      </Match>
      <Match when={((s) => (s.kind === 'room' ? s : false))(screen())}>
        {(s) => {
          const standing = () => s().session.standing();
          return (
            <Show
              when={standing() !== 'ended' && standing() !== 'removed'}
              fallback={<Excluded reason={standing() === 'ended' ? 'ended' : 'removed'} onCreate={() => void create()} />}
            >
              <Room
                session={s().session}
                inviteUrl={linkUrl(s().link)}
                onLeave={() => {
                  sessionStorage.removeItem(IN_ROOM_KEY);
                  leaveCurrent();
                  setScreen({ kind: 'left', link: s().link });
                }}
              />
            </Show>
          );
        }}
      </Match>
      <Match when={((s) => (s.kind === 'left' ? s : false))(screen())}>
        {(s) => (
          <Left
            onRejoin={() => setScreen(joinScreen(s().link))}
            onCreate={() => void create()}
          />
        )}
      </Match>
    </Switch>
  );
}
