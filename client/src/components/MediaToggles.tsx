import type { JSX } from 'solid-js';
import type { LocalMedia } from '../media/local-media';
import { Icon, type IconName } from './icons';

/** Microphone and Camera toggle buttons, the same on the join screen and in the toolbar. */
export function MediaToggles(props: { media: LocalMedia; onChange?(): void }): JSX.Element {
  const media = props.media;
  return (
    <>
      <Toggle label="Microphone" device="microphone" on={media.micOn()} icons={['mic', 'micOff']} toggle={() => media.toggleMic()} onChange={props.onChange} />
      <Toggle label="Camera" device="camera" on={media.camOn()} icons={['cam', 'camOff']} toggle={() => media.toggleCam()} onChange={props.onChange} />
    </>
  );
}

/** One device's on/off button: pressed while on, crossed out while off. */
function Toggle(props: {
  label: string;
  device: string;
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
      title={`Turn ${props.device} ${props.on ? 'off' : 'on'}`}
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
