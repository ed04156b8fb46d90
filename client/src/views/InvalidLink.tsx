import type { JSX } from 'solid-js';

export function InvalidLink(props: { onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>This link is not valid</h1>
      <p class="lead">
        The room link looks cut short or mistyped. Ask whoever sent it to copy it again with the Copy link button, or
        start a new room.
      </p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        Create room
      </button>
    </main>
  );
}
