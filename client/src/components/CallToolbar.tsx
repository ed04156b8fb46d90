import { For, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { LocalMedia } from '../media/local-media';
import { DevicePanel } from './DeviceSettings';
import { Icon } from './icons';
import { MediaToggles } from './MediaToggles';
import { MoreMenu, shownItems, ToolbarItemButton, type MoreItem } from './MoreMenu';

/**
 * The call's controls. Always: Microphone, Camera, Chat, Leave. On a wide screen every item
 * placed in the toolbar is a button of its own and More holds the rest (no More when there is
 * no rest); on a phone one row of Microphone, Camera, Chat, More, Leave, and everything else
 * in More.
 */
export function CallToolbar(props: {
  media: LocalMedia;
  onMediaChange(): void;
  items: MoreItem[];
  compact: boolean;
  /** The Chat button (not while knocking or locked out). */
  chat: { shown: boolean; open: boolean; unread: number; toggle(): void };
  devicesOpen: boolean;
  onDevicesDone(): void;
  onLeave(): void;
}): JSX.Element {
  const available = () => shownItems(props.items);
  const inToolbar = () => (props.compact ? [] : available().filter((item) => item.place === 'toolbar'));
  const inMore = () => (props.compact ? available() : available().filter((item) => item.place !== 'toolbar'));
  return (
    <nav class="toolbar" aria-label={t('toolbar.label')}>
      <MediaToggles media={props.media} onChange={() => props.onMediaChange()} />
      <For each={inToolbar()}>{(item) => (item.toolbar ? item.toolbar() : <ToolbarItemButton item={item} />)}</For>
      <Show when={props.chat.shown}>
        <button class="round-btn" aria-label={t('toolbar.chat')} aria-pressed={props.chat.open} onClick={() => props.chat.toggle()}>
          <Icon name="chat" />
          <Show when={props.chat.unread > 0}>
            <span class="badge" aria-label={t('toolbar.unread', { count: props.chat.unread })}>
              {props.chat.unread}
            </span>
          </Show>
        </button>
      </Show>
      <Show when={inMore().length > 0}>
        <MoreMenu items={inMore()} sheet={props.compact} />
      </Show>
      <button class="round-btn leave" aria-label={t('toolbar.leave')} onClick={() => props.onLeave()}>
        <Icon name="leave" />
      </button>
      <Show when={props.devicesOpen}>
        <DevicePanel media={props.media} placement="sheet" onDone={() => props.onDevicesDone()} />
      </Show>
    </nav>
  );
}

