import { createSignal, For, Show, type JSX } from 'solid-js';
import { REACTIONS, type Reaction } from '../../../crdt/room/room-schema';
import { Icon } from './icons';

/** Toolbar: Raise hand (a toggle) and Reactions (a small tray of emoji). */
export function HandAndReactions(props: { handUp: boolean; onHand(up: boolean): void; onReact(emoji: Reaction): void }): JSX.Element {
  const [trayOpen, setTrayOpen] = createSignal(false);
  return (
    <>
      <button
        class="round-btn"
        classList={{ raised: props.handUp }}
        aria-label={props.handUp ? 'Lower hand' : 'Raise hand'}
        aria-pressed={props.handUp}
        title={props.handUp ? 'Lower hand' : 'Raise hand'}
        onClick={() => props.onHand(!props.handUp)}
      >
        <Icon name="hand" />
      </button>
      <div class="reactions-anchor">
        <button class="round-btn" aria-label="Reactions" aria-expanded={trayOpen()} onClick={() => setTrayOpen(!trayOpen())}>
          <Icon name="smile" />
        </button>
        <Show when={trayOpen()}>
          <div class="reaction-tray" role="group" aria-label="Send a reaction">
            <For each={Object.entries(REACTIONS) as [Reaction, string][]}>
              {([emoji, name]) => (
                <button
                  class="reaction-btn"
                  aria-label={name}
                  title={name}
                  onClick={() => {
                    props.onReact(emoji);
                    setTrayOpen(false);
                  }}
                >
                  {emoji}
                </button>
              )}
            </For>
          </div>
        </Show>
      </div>
    </>
  );
}
