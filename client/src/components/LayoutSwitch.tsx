import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { LayoutMode } from './stage-layout';

/** Grid or speaker layout: two pressed-or-not buttons, named for what they show. */
export function LayoutSwitch(props: { mode: LayoutMode; onMode(mode: LayoutMode): void }): JSX.Element {
  const option = (mode: LayoutMode, label: string) => (
    <button class="switch-option" aria-label={t('layout.named', { name: label })} aria-pressed={props.mode === mode} onClick={() => props.onMode(mode)}>
      {label}
    </button>
  );
  return (
    <div class="layout-switch" role="group" aria-label={t('layout.label')}>
      {option('grid', t('layout.grid'))}
      {option('speaker', t('layout.speaker'))}
    </div>
  );
}
