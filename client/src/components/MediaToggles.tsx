import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { LocalMedia } from '../media/local-media';
import { Icon, type IconName } from './icons';

/** Microphone and Camera toggle buttons, the same on the join screen and in the toolbar. */
export function MediaToggles(props: { media: LocalMedia; onChange?(): void }): JSX.Element {
  const media = props.media;
  return (
    <>
      <Toggle
        label={t('media.microphone')}
        titles={[t('media.micOffTitle'), t('media.micOnTitle')]}
        on={media.micOn()}
        icons={['mic', 'micOff']}
        toggle={() => media.toggleMic()}
        onChange={props.onChange}
      />
      <Toggle
        label={t('media.camera')}
        titles={[t('media.camOffTitle'), t('media.camOnTitle')]}
        on={media.camOn()}
        icons={['cam', 'camOff']}
        toggle={() => media.toggleCam()}
        onChange={props.onChange}
      />
    </>
  );
}

/** One device's on/off button: pressed while on, crossed out while off. */
function Toggle(props: {
  label: string;
  /** The title while on (it turns off), and while off. */
  titles: [whenOn: string, whenOff: string];
  on: boolean;
  icons: [on: IconName, off: IconName];
  toggle(): void | Promise<void>;
  onChange?(): void;
}): JSX.Element {
  return (
    <button
      class="round-btn"
      classList={{ off: !props.on }}
      aria-label={props.label}
      aria-pressed={props.on}
      title={props.titles[props.on ? 0 : 1]}
      onClick={() => {
        const done = props.toggle();
        if (done) void done.then(() => props.onChange?.());
        else props.onChange?.();
      }}
    >
      <Icon name={props.icons[props.on ? 0 : 1]} />
    </button>
  );
}
