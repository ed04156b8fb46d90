import { For, onCleanup, Show, type JSX } from 'solid-js';
import { Notice } from './Notice';
import { t } from '../i18n/i18n';
import { BUILT_IN_BACKGROUNDS, OWN_IMAGE, type BackgroundChoice } from '../media/background-choice';
import { Icon } from './icons';

const isImage = (choice: BackgroundChoice, id: string) => {
  const s = choice.setting();
  return s.kind === 'image' && s.id === id;
};

/** Blur background and Replace background as two toggles (the join screen's row). */
export function BackgroundButtons(props: { choice: BackgroundChoice; onReplace(): void }): JSX.Element {
  const c = props.choice;
  return (
    <div class="effects-row" role="group" aria-label={t('bg.choose')}>
      <button
        class="btn btn-small btn-secondary"
        aria-pressed={c.setting().kind === 'blur'}
        onClick={() => void c.choose(c.setting().kind === 'blur' ? { kind: 'none' } : { kind: 'blur' })}
      >
        <Icon name="blur" size={18} />
        {t('bg.blur')}
      </button>
      <button class="btn btn-small btn-secondary" aria-pressed={c.setting().kind === 'image'} onClick={() => props.onReplace()}>
        <Icon name="image" size={18} />
        {t('bg.replace')}
      </button>
    </div>
  );
}

/**
 * Replace background's choices: no effect, the built-in images, or your own (read in the
 * browser, never uploaded). A sheet; Escape or Done closes it.
 */
export function BackgroundPicker(props: { choice: BackgroundChoice; onDone(): void }): JSX.Element {
  const c = props.choice;
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onDone();
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
  return (
    <div class="settings-panel" role="dialog" aria-label={t('bg.choose')}>
      <h2>{t('bg.choose')}</h2>
      <BackgroundChoices choice={c} />
      <button class="btn btn-small" onClick={() => props.onDone()}>
        {t('common.done')}
      </button>
    </div>
  );
}

/** Replace background pressed: the last image at once, and the choices to pick another. */
export function replaceBackground(choice: BackgroundChoice, openPicker: () => void): void {
  if (choice.setting().kind !== 'image') void choice.choose({ kind: 'image', id: choice.lastImage() });
  openPicker();
}

/** The choices themselves (the picker, and Settings): no effect, blur, the images, your own. */
export function BackgroundChoices(props: { choice: BackgroundChoice }): JSX.Element {
  const c = props.choice;
  return (
    <>
      <div class="bg-choices">
        <button class="bg-choice" aria-pressed={c.setting().kind === 'none'} onClick={() => void c.choose({ kind: 'none' })}>
          <span>{t('bg.none')}</span>
        </button>
        <button class="bg-choice" aria-pressed={c.setting().kind === 'blur'} onClick={() => void c.choose({ kind: 'blur' })}>
          <span>{t('bg.blurShort')}</span>
        </button>
        <For each={BUILT_IN_BACKGROUNDS}>
          {(b) => (
            <button class="bg-choice" aria-pressed={isImage(c, b.id)} onClick={() => void c.choose({ kind: 'image', id: b.id })}>
              <img src={b.url} alt="" />
              <span>{t(b.label)}</span>
            </button>
          )}
        </For>
        <Show when={c.ownImage()}>
          {(url) => (
            <button class="bg-choice" aria-pressed={isImage(c, OWN_IMAGE)} onClick={() => void c.choose({ kind: 'image', id: OWN_IMAGE })}>
              <img src={url()} alt="" />
              <span>{t('bg.own')}</span>
            </button>
          )}
        </Show>
      </div>
      <label class="btn btn-small btn-secondary">
        <Icon name="image" size={18} />
        {t('bg.own')}
        <input
          type="file"
          accept="image/*"
          hidden
          onChange={(e) => {
            const chosen = e.currentTarget.files?.[0];
            if (chosen) void c.chooseOwn(chosen);
          }}
        />
      </label>
      <Show when={c.starting()}>
        <p class="muted" role="status">
          {t('bg.loading')}
        </p>
      </Show>
      <Notice message={c.notice()} />
    </>
  );
}
