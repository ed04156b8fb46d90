import { createSignal, onMount, Show, type JSX } from 'solid-js';
import { Notice } from '../components/Notice';
import { InviteLink } from '../components/InviteLink';
import { DeviceSettings } from '../components/DeviceSettings';
import { MediaToggles } from '../components/MediaToggles';
import { VideoTile } from '../components/VideoTile';
import { MediaEncryption } from '../media/e2ee/media-encryption';
import type { LocalMedia } from '../media/local-media';
import { markJoin } from '../session/join-timeline';

const NAME_KEY = 'confab.name';

export function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function Join(props: {
  media: LocalMedia;
  /** Keys and the stored room document: Join waits for them. */
  ready: Promise<void>;
  inviteUrl: string;
  justCreated: boolean;
  /** Back after a reload mid-call: skip the questions and go straight in. */
  autoJoin: boolean;
  onJoin(name: string): void;
}): JSX.Element {
  const [name, setName] = createSignal(rememberedName());
  const [starting, setStarting] = createSignal(true);
  // Checked once: every call is end-to-end encrypted, and without encoded transforms a browser
  // would only ever show black tiles and hear nothing.
  const cannotEncrypt = !MediaEncryption.supported();
  onMount(async () => {
    await Promise.all([props.media.acquire(), props.ready]);
    setStarting(false);
    if (props.autoJoin && name().trim() && !cannotEncrypt) join();
  });
  const join = (event?: Event) => {
    event?.preventDefault();
    const trimmed = name().trim();
    if (!trimmed) return;
    try {
      localStorage.setItem(NAME_KEY, trimmed);
    } catch {
      /* private mode: the name is simply not remembered */
    }
    markJoin('join');
    props.onJoin(trimmed);
  };
  return (
    <main class="page join">
      <div class="brand">Confab</div>
      <div class="join-grid">
        <section class="preview" aria-label="Camera preview">
          <VideoTile
            stream={props.media.stream()}
            name={name() || 'You'}
            micOn={props.media.micOn()}
            camOn={props.media.camOn()}
            self
          />
          <Show when={starting()}>
            <div class="preview-starting">Starting camera…</div>
          </Show>
          <div class="preview-controls">
            <MediaToggles media={props.media} />
            <DeviceSettings media={props.media} above />
          </div>
        </section>
        <section class="join-panel">
          <Show when={props.justCreated}>
            <h1>Your room is ready</h1>
            <p class="lead">Send this link to the people you want to talk to. They join with it, no account needed.</p>
            <InviteLink url={props.inviteUrl} />
          </Show>
          <Show when={!props.justCreated}>
            <h1>Join the room</h1>
            <p class="lead">Check your camera and microphone, then tell the others who you are.</p>
          </Show>
          <form class="join-form" onSubmit={join}>
            <label for="your-name">Your name</label>
            <input
              id="your-name"
              autocomplete="name"
              maxLength={60}
              value={name()}
              onInput={(e) => setName(e.currentTarget.value)}
              placeholder="e.g. Alex"
            />
            <button class="btn btn-primary btn-large" type="submit" disabled={!name().trim() || starting() || cannotEncrypt}>
              Join
            </button>
          </form>
          <Notice when={cannotEncrypt}>
            This browser can’t join: every Confab call is end-to-end encrypted, and this browser lacks the encoded
            media transforms that needs. Open the link in a current Chrome, Edge, Firefox or Safari.
          </Notice>
          <Notice message={props.media.notice()} />
        </section>
      </div>
    </main>
  );
}
