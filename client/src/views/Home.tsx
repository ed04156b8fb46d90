import type { JSX } from 'solid-js';

export function Home(props: { onCreate(): void }): JSX.Element {
  return (
    <main class="page home">
      <div class="brand">Confab</div>
      <h1>Video rooms for up to 50 people</h1>
      <p class="lead">
        Create a room, share its link, talk. No account, no server in the middle: calls go straight between
        browsers, end-to-end encrypted.
      </p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        Create room
      </button>
      <p class="fine">Anyone with the link can join. Rooms work on a LAN with no internet at all.</p>
    </main>
  );
}
