import { Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import { Icon } from './icons';

/**
 * A side panel's title bar. Beside the call (wide screens) it closes with ×; full screen on a
 * phone it has a Back button on the left, where people look for the way back to the call.
 */
export function PanelHeader(props: { title: string; closeLabel: string; fullScreen: boolean; onClose(): void }): JSX.Element {
  return (
    <header class="side-header">
      <Show when={props.fullScreen}>
        <button class="back-btn" onClick={() => props.onClose()}>
          <Icon name="back" />
          {t('common.back')}
        </button>
      </Show>
      <h2>{props.title}</h2>
      <Show when={!props.fullScreen}>
        <button class="icon-btn" aria-label={props.closeLabel} onClick={() => props.onClose()}>
          ×
        </button>
      </Show>
    </header>
  );
}
