import { createSignal, For, Show, type JSX } from 'solid-js';
import { t, type Key } from '../i18n/i18n';
import { canChooseSpeaker } from '../media/browser-features';
import type { DeviceKind } from '../media/device-choice';
import type { LocalMedia } from '../media/local-media';
import { Icon } from './icons';

const FIELDS: { kind: DeviceKind; label: Key }[] = [
  { kind: 'videoinput', label: 'media.camera' },
  { kind: 'audioinput', label: 'media.microphone' },
  { kind: 'audiooutput', label: 'media.speaker' },
];

/** The Devices button and its panel: which camera, microphone and speaker to use, any time. */
export function DeviceSettings(props: { media: LocalMedia; above?: boolean }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const toggle = () => {
    if (!open()) void props.media.devices.refresh();
    setOpen(!open());
  };
  return (
    <div class="popover-anchor">
      <button class="round-btn" aria-label={t('devices.button')} aria-expanded={open()} title={t('devices.title')} onClick={toggle}>
        <Icon name="settings" />
      </button>
      <Show when={open()}>
        <DevicePanel media={props.media} placement={props.above ? 'above' : 'below'} onDone={() => setOpen(false)} />
      </Show>
    </div>
  );
}

/**
 * The panel itself: above or below its button, or (on a phone, opened from More) a sheet
 * across the bottom of the screen. No speaker choice where the browser cannot route audio
 * (no setSinkId: Safari before 18.4).
 */
export function DevicePanel(props: { media: LocalMedia; placement: 'above' | 'below' | 'sheet'; onDone(): void }): JSX.Element {
  const devices = props.media.devices;
  const fields = FIELDS.filter((f) => f.kind !== 'audiooutput' || canChooseSpeaker());
  // Without a choice made here, the select shows the device actually in use.
  const shown = (kind: DeviceKind): string => {
    const chosen = devices.chosen(kind);
    if (chosen || kind === 'audiooutput') return chosen;
    props.media.stream(); // re-read when the tracks change
    const inUse = props.media.deviceTrack(kind === 'audioinput' ? 'audio' : 'video')?.getSettings().deviceId ?? '';
    return inUse === 'default' ? '' : inUse;
  };
  return (
    <div class="device-panel" classList={{ below: props.placement === 'below', sheet: props.placement === 'sheet' }} role="dialog" aria-label={t('devices.button')}>
      <For each={fields}>
        {(field) => (
          <Show when={devices.options()[field.kind].length > 0}>
            <label class="device-field">
              <span>{t(field.label)}</span>
              <select value={shown(field.kind)} onChange={(e) => void props.media.useDevice(field.kind, e.currentTarget.value)}>
                <Show when={!devices.options()[field.kind].some((o) => o.id === 'default')}>
                  <option value="">{t('devices.default')}</option>
                </Show>
                <For each={devices.options()[field.kind]}>
                  {(option) => <option value={option.id === 'default' ? '' : option.id}>{option.label}</option>}
                </For>
              </select>
            </label>
          </Show>
        )}
      </For>
      <Show when={fields.every((f) => devices.options()[f.kind].length === 0)}>
        <p class="muted">{t('devices.none')}</p>
      </Show>
      <button class="btn btn-small" onClick={() => props.onDone()}>
        {t('common.done')}
      </button>
    </div>
  );
}
