import { For, onCleanup, type JSX } from 'solid-js';
import { t, type Key } from '../i18n/i18n';
import { SHORTCUTS } from './shortcuts';

/** The list of every shortcut (opened with ? or from More); Escape, a click outside or Close shuts it. */
export function ShortcutsHelp(props: { onClose(): void }): JSX.Element {
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
  let close: HTMLButtonElement | undefined;
  queueMicrotask(() => close?.focus());
  return (
    <div class="shortcuts-overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="shortcuts-card" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
        <h2 id="shortcuts-title">{t('keys.title')}</h2>
        <dl>
          <For each={SHORTCUTS}>
            {(s) => (
              <>
                <dt>
                  <For each={s.keys}>{(k) => <kbd>{k.startsWith('keys.') ? t(k as Key) : k}</kbd>}</For>
                </dt>
                <dd>{t(s.what)}</dd>
              </>
            )}
          </For>
        </dl>
        <button class="btn btn-small" ref={close} onClick={() => props.onClose()}>
          {t('keys.close')}
        </button>
      </div>
    </div>
  );
}
