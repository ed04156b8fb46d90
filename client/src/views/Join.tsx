import { createSignal, onMount, Show, type JSX } from 'solid-js';
import { Notice } from '../components/Notice';
import { t } from '../i18n/i18n';
import { InviteLink } from '../components/InviteLink';
import { BackgroundButtons, BackgroundPicker, replaceBackground } from '../components/BackgroundPicker';
import { canSegment } from '../media/effects/can-segment';
import { LanguageSelect } from '../components/LanguageSelect';
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
  const [picker, setPicker] = createSignal(false);
  onMount(async () => {
    await Promise.all([props.media.acquire(), props.ready]);
    // Remembered effects, before anyone sees or hears this camera and microphone.
    void props.media.noise.apply();
    void props.media.background.apply();
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
        <div class="preview-column">
          <section class="preview" aria-label={t('join.preview')}>
            <VideoTile
              stream={props.media.stream()}
              name={name() || t('common.you')}
              micOn={props.media.micOn()}
              camOn={props.media.camOn()}
              self
            />
            <Show when={starting()}>
              <div class="preview-starting">{t('join.starting')}</div>
            </Show>
            <div class="preview-controls">
              <MediaToggles media={props.media} />
              <DeviceSettings media={props.media} above />
            </div>
          </section>
          <Show when={canSegment()}>
            <BackgroundButtons choice={props.media.background} onReplace={() => replaceBackground(props.media.background, () => setPicker(true))} />
          </Show>
          <Notice message={props.media.background.notice()} />
          <Show when={picker()}>
            <BackgroundPicker choice={props.media.background} onDone={() => setPicker(false)} />
          </Show>
        </div>
        <section class="join-panel">
          <Show when={props.justCreated}>
            <h1>{t('join.readyTitle')}</h1>
            <p class="lead">{t('join.readyLead')}</p>
            <InviteLink url={props.inviteUrl} />
          </Show>
          <Show when={!props.justCreated}>
            <h1>{t('join.title')}</h1>
            <p class="lead">{t('join.lead')}</p>
          </Show>
          <form class="join-form" onSubmit={join}>
            <label for="your-name">{t('join.nameLabel')}</label>
            <input
              id="your-name"
              autocomplete="name"
              maxLength={60}
              value={name()}
              onInput={(e) => setName(e.currentTarget.value)}
              placeholder={t('join.namePlaceholder')}
            />
            <button class="btn btn-primary btn-large" type="submit" disabled={!name().trim() || starting() || cannotEncrypt}>
              {t('join.join')}
            </button>
          </form>
          <Notice when={cannotEncrypt}>{t('join.cannotEncrypt')}</Notice>
          <Notice message={props.media.notice()} />
          <LanguageSelect compact />
        </section>
      </div>
    </main>
  );
}
