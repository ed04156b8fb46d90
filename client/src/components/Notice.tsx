import { Show, type JSX } from 'solid-js';

/**
 * A line that says what went wrong or what to know, read out by screen readers (role alert);
 * shown while `message` (or `when`) holds. `floating`: over the stage, not in the page's flow.
 */
export function Notice(props: { message?: string | null | false; when?: boolean; floating?: boolean; children?: JSX.Element }): JSX.Element {
  return (
    <Show when={props.when ?? props.message}>
      <p class={props.floating ? 'notice floating' : 'notice'} role="alert">
        {props.children ?? props.message}
      </p>
    </Show>
  );
}
