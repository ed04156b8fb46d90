import type { JSX } from 'solid-js';

export function Left(props: { onRejoin(): void; onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>You left the room</h1>
      <p class="lead">The room goes on for the others. You can come back with the same link.</p>
      <div class="row">
        <button class="btn btn-primary btn-large" onClick={() => props.onRejoin()}>
          Rejoin
        </button>
        <button class="btn btn-secondary btn-large" onClick={() => props.onCreate()}>
          Create room
        </button>
      </div>
    </main>
  );
}
