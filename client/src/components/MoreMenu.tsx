import { createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { Icon, type IconName } from './icons';

/**
 * One entry of the More menu. Any feature adds itself by adding one of these to the list the
 * room builds (views/room-menu-items.tsx); see /docs or the team note on the More menu.
 */
export interface MoreItem {
  /** Stable and unique: the list is keyed by it. */
  id: string;
  /** The accessible name and the visible text (the words). */
  label: () => string;
  icon: IconName;
  /** Plain actions leave this out; a toggle gives its state (aria-pressed). */
  pressed?: () => boolean;
  /** Left out of every toolbar and menu where this browser cannot do it (feature detection). */
  available?: () => boolean;
  /** A count shown on the button (unread, knocks); 0 hides it. */
  badge?: () => { count: number; label: string };
  /**
   * 'toolbar': a button of its own in the toolbar on wide screens, in More on phones.
   * 'menu' (the default): always in More.
   */
  place?: 'toolbar' | 'menu';
  /** How it looks in the wide toolbar, when not a plain round button (a popover anchor). */
  toolbar?: () => JSX.Element;
  /** Instead of one button in the menu, this content (a row of emoji, a select). `close` shuts the menu. */
  content?: (close: () => void) => JSX.Element;
  /** Keep the menu open after a tap (toggles you may flip several of). */
  keepOpen?: boolean;
  onSelect?: () => void;
}

export function shownItems(items: readonly MoreItem[]): MoreItem[] {
  return items.filter((item) => item.available?.() ?? true);
}

/** An item as a round toolbar button (wide screens). */
export function ToolbarItemButton(props: { item: MoreItem }): JSX.Element {
  const item = props.item;
  return (
    <button
      class="round-btn"
      classList={{ active: item.pressed?.() ?? false }}
      aria-label={item.label()}
      aria-pressed={item.pressed?.()}
      title={item.label()}
      onClick={() => item.onSelect?.()}
    >
      <Icon name={item.icon} />
      <ItemBadge item={item} />
    </button>
  );
}

function ItemBadge(props: { item: MoreItem }): JSX.Element {
  return (
    <Show when={props.item.badge?.()} keyed>
      {(badge) => (
        <Show when={badge.count > 0}>
          <span class="badge" aria-label={badge.label}>
            {badge.count}
          </span>
        </Show>
      )}
    </Show>
  );
}

/**
 * The More button and what it opens: a sheet of the items that have no place in the toolbar
 * (all of them on a phone). A disclosure: the button says whether it is open, the items are
 * ordinary buttons; Escape or a tap outside closes it.
 */
export function MoreMenu(props: { items: MoreItem[]; sheet?: boolean }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  let anchor: HTMLDivElement | undefined;
  const close = () => setOpen(false);
  const onOutside = (e: PointerEvent) => {
    if (anchor && !anchor.contains(e.target as Node)) close();
  };
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
  document.addEventListener('pointerdown', onOutside);
  document.addEventListener('keydown', onKey);
  onCleanup(() => {
    document.removeEventListener('pointerdown', onOutside);
    document.removeEventListener('keydown', onKey);
  });
  const badgeCount = () => props.items.reduce((sum, item) => sum + (item.badge?.().count ?? 0), 0);
  return (
    <div class="popover-anchor" ref={anchor}>
      <button class="round-btn" aria-label={t('toolbar.more')} aria-expanded={open()} aria-controls="more-menu" title={t('toolbar.more')} onClick={() => setOpen(!open())}>
        <Icon name="more" />
        <Show when={!open() && badgeCount() > 0}>
          <span class="badge" aria-hidden="true">
            {badgeCount()}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <div id="more-menu" class="more-menu" classList={{ sheet: props.sheet }} role="group" aria-label={t('toolbar.more')}>
          <For each={props.items}>
            {(item) =>
              item.content ? (
                <div class="more-content">{item.content(close)}</div>
              ) : (
                <button
                  class="more-item"
                  aria-pressed={item.pressed?.()}
                  onClick={() => {
                    item.onSelect?.();
                    if (!item.keepOpen) close();
                  }}
                >
                  <Icon name={item.icon} />
                  <span class="more-label">{item.label()}</span>
                  <ItemBadge item={item} />
                </button>
              )
            }
          </For>
        </div>
      </Show>
    </div>
  );
}
