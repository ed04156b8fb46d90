import { createSignal, For, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { REACTIONS, type Reaction } from '../../../crdt/room/room-schema';
import { Icon } from './icons';

/** Toolbar: Raise hand, a toggle (its name says what a press does). */
export function RaiseHandButton(props: { handUp: boolean; onHand(up: boolean): void }): JSX.Element {
  return (
    <button
      class="round-btn"
      classList={{ raised: props.handUp }}
      aria-label={props.handUp ? t('toolbar.lowerHand') : t('toolbar.raiseHand')}
      aria-pressed={props.handUp}
      title={props.handUp ? t('toolbar.lowerHand') : t('toolbar.raiseHand')}
      onClick={() => props.onHand(!props.handUp)}
    >
      <Icon name="hand" />
    </button>
  );
}

/** Toolbar: Reactions, a button that opens a small tray of emoji. */
export function ReactionsButton(props: { onReact(emoji: Reaction): void }): JSX.Element {
  const [trayOpen, setTrayOpen] = createSignal(false);
  return (
    <div class="reactions-anchor">
      <button class="round-btn" aria-label={t('toolbar.reactions')} aria-expanded={trayOpen()} onClick={() => setTrayOpen(!trayOpen())}>
        <Icon name="smile" />
      </button>
      <Show when={trayOpen()}>
        <ReactionRow
          class="reaction-tray"
          onReact={(emoji) => {
            props.onReact(emoji);
            setTrayOpen(false);
          }}
        />
      </Show>
    </div>
  );
}

/** The emoji themselves, each a button named for what it means (the tray, or a row in More). */
export function ReactionRow(props: { class: string; onReact(emoji: Reaction): void }): JSX.Element {
  return (
    <div class={props.class} role="group" aria-label={t('toolbar.sendReaction')}>
      <For each={Object.entries(REACTIONS) as [Reaction, string][]}>
        {([emoji]) => (
          <button class="reaction-btn" aria-label={t(`reaction.${emoji}`)} title={t(`reaction.${emoji}`)} onClick={() => props.onReact(emoji)}>
            {emoji}
          </button>
        )}
      </For>
    </div>
  );
}
