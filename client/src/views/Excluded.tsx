import type { JSX } from 'solid-js';

const TEXT = {
  ended: {
    title: 'This room has ended',
    lead: 'The host ended this room for everyone. Its link no longer lets anyone in. You can start a new room.',
  },
  removed: {
    title: 'The host removed you from this room',
    lead: 'You are no longer in the call and cannot rejoin with this link from this tab. Ask the host if you think this was a mistake.',
  },
} as const;

/** Shown in place of the room once the host's signed records say this person may not be in it. */
export function Excluded(props: { reason: keyof typeof TEXT; onCreate(): void }): JSX.Element {
  return (
    <main class="page notice-page">
      <div class="brand">Confab</div>
      <h1>{TEXT[props.reason].title}</h1>
      <p class="lead">{TEXT[props.reason].lead}</p>
      <button class="btn btn-primary btn-large" onClick={() => props.onCreate()}>
        Create room
      </button>
    </main>
  );
}
