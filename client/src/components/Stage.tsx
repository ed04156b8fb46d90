import { createEffect, createMemo, createSignal, For, onCleanup, Show, type Accessor, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { describeQuality } from '../media/stats/link-quality';
import type { QualityWatch } from '../media/stats/quality-watch';
import type { RoomSession } from '../session/room-session';
import { featuredPerson, pageOf, tilesPerPage, type LayoutMode } from './stage-layout';
import { fitTiles } from './tile-layout';
import { reachLabel } from './reach-label';
import { LayoutSwitch } from './LayoutSwitch';
import { Pager } from './Pager';
import { onSwipe } from './swipe';
import { VideoTile } from './VideoTile';

const TILE_GAP_PX = 12;
const FILMSTRIP_TILE_W_PX = 160;
const DEFAULT_TILE_W_PX = 320;
const FILMSTRIP_STYLE = { '--tile-w': `${FILMSTRIP_TILE_W_PX}px`, '--tile-h': '120px', '--gap': `${TILE_GAP_PX}px` };

/**
 * The people in the call (not yourself): a grid of equal tiles a page at a time, or one large
 * tile over a filmstrip (speaker layout, or whenever someone shares a screen). Every remote
 * tile stays mounted, off-page ones hidden, because a tile's <video> also plays that person's
 * voice: everyone who speaks is heard, whatever page is shown.
 */
export function Stage(props: { session: RoomSession; speaker: Accessor<string | null>; quality: QualityWatch }): JSX.Element {
  const session = props.session;
  const [mode, setMode] = createSignal<LayoutMode>('grid');
  const [pinned, setPinned] = createSignal<string | null>(null);
  const [page, setPage] = createSignal(0);
  const [lastSpoke, setLastSpoke] = createSignal<string | null>(null);
  createEffect(() => {
    const now = props.speaker();
    if (now !== null) setLastSpoke(now);
  });
  // No name yet: still joining, or only known through the relay (a participant without a name).
  const name = (id: string) =>
    session.participant(id)?.name ?? (session.topology() === 'relay' && session.peers().find((p) => p.id === id)?.reach() === 'connected' ? t('common.guest') : t('common.joining'));
  // Whoever shares a screen gets the large place (the first, if several do).
  const presenter = createMemo(() => session.peers().find((peer) => session.participant(peer.id)?.screenOn));
  // In relay mode the presenter's screen gets the relay's screen slot.
  createEffect(() => session.stage.setPresenter(presenter()?.id ?? null));
  const featured = createMemo(() =>
    mode() === 'speaker' && !presenter() ? featuredPerson(session.peers().map((p) => p.id), pinned(), props.speaker(), lastSpoke()) : null,
  );
  const strip = () => presenter() !== undefined || featured() !== null;
  const others = createMemo(() => session.peers().filter((peer) => peer.id !== featured()));

  const [gridSize, setGridSize] = createSignal({ width: 0, height: 0 });
  const observer = new ResizeObserver(([entry]) => {
    if (entry) setGridSize({ width: entry.contentRect.width, height: entry.contentRect.height });
  });
  onCleanup(() => observer.disconnect());
  // Not measured yet (just mounted): one page of everyone, not a page of one — in relay mode a
  // page of one would drop everyone else's video slot for a moment.
  const perPage = () => (strip() || gridSize().width === 0 ? Infinity : tilesPerPage(gridSize().width, gridSize().height, TILE_GAP_PX));
  const paged = createMemo(() => pageOf(others(), perPage(), page()));
  const onPage = createMemo(() => new Set(paged().shown.map((peer) => peer.id)));
  const layout = createMemo(() => fitTiles(paged().shown.length, gridSize().width, gridSize().height, 4 / 3, TILE_GAP_PX));
  // In relay mode only tiles on screen get video, each at the layer its width needs.
  createEffect(() => {
    const shown = new Set(onPage());
    const large = featured();
    if (large) shown.add(large);
    session.stage.setVisible(shown);
  });
  createEffect(() => session.stage.setTileWidth(strip() ? FILMSTRIP_TILE_W_PX : layout().tileWidthPx || DEFAULT_TILE_W_PX));
  const [stageWidth, setStageWidth] = createSignal(0);
  const stageObserver = new ResizeObserver(([entry]) => entry && setStageWidth(entry.contentRect.width));
  onCleanup(() => stageObserver.disconnect());
  createEffect(() => session.stage.setPinned(pinned()));
  createEffect(() => {
    const large = featured();
    session.stage.setLargeTile(large ? { id: large, widthPx: stageWidth() || DEFAULT_TILE_W_PX } : null);
  });
  // Until the grid is measured, tiles get a plain size: a 0×0 video element is never painted.
  const gridStyle = () =>
    strip()
      ? FILMSTRIP_STYLE
      : layout().tileWidthPx > 0
        ? { '--tile-w': `${layout().tileWidthPx}px`, '--tile-h': `${layout().tileHeightPx}px`, '--gap': `${TILE_GAP_PX}px` }
        : { '--tile-w': '320px', '--tile-h': '240px', '--gap': `${TILE_GAP_PX}px` };

  // Pages turn by a sideways swipe too (the filmstrip scrolls instead: it has no pages).
  const watchGrid = (el: HTMLDivElement) => {
    observer.observe(el);
    const stop = onSwipe(el, (step) => {
      if (!strip()) setPage(Math.min(Math.max(0, paged().page + step), paged().pages - 1));
    });
    onCleanup(stop);
  };

  const qualityOf = (id: string) => {
    const q = props.quality.byPeer().get(id);
    return q && { grade: q.grade, summary: describeQuality(q) };
  };
  const togglePin = (id: string) => {
    if (pinned() === id) return setPinned(null);
    setPinned(id);
    setMode('speaker');
  };
  const tile = (id: string, large: boolean) => {
    const peer = () => session.peers().find((p) => p.id === id);
    const record = () => session.participant(id);
    return (
      <Show when={peer()}>
        {(p) => (
          <VideoTile
            peerId={id}
            stream={p().stream()}
            name={name(id)}
            micOn={record()?.micOn ?? true}
            camOn={record()?.camOn ?? true}
            status={reachLabel(p().reach(), record()?.name)}
            speaking={props.speaker() === id}
            handUp={record()?.handUpAt !== undefined}
            reaction={record()?.reaction}
            pinned={pinned() === id}
            onPin={() => togglePin(id)}
            featured={large}
            sinkId={session.media.devices.chosen('audiooutput')}
            quality={qualityOf(id)}
            videoWhenSpeaking={session.relayLost()}
            recording={record()?.recordingSince !== undefined}
          />
        )}
      </Show>
    );
  };

  return (
    <div class="people-stage" classList={{ presenting: strip() }} ref={(el) => stageObserver.observe(el)}>
      <div class="stage-bar">
        <Show when={!strip() && paged().pages > 1}>
          <Pager page={paged().page} pages={paged().pages} onPage={setPage} />
        </Show>
        <LayoutSwitch mode={mode()} onMode={setMode} />
      </div>
      <Show when={presenter()}>
        {(p) => <VideoTile peerId={`${p().id}:screen`} stream={p().screen()} name={t('tile.screenBy', { name: name(p().id) })} micOn camOn screen />}
      </Show>
      {/* Keyed: another person in the large place is another tile, with that person's stream. */}
      <Show when={featured()} keyed>
        {(id) => tile(id, true)}
      </Show>
      <div class="grid" classList={{ filmstrip: strip() }} ref={watchGrid} style={gridStyle()}>
        <For each={others()}>
          {(peer) => (
            <div class="tile-slot" classList={{ 'off-page': !onPage().has(peer.id) }}>
              {tile(peer.id, false)}
            </div>
          )}
        </For>
      </div>
    </div>
  );
}
