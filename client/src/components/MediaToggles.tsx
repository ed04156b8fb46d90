import type { JSX } from 'solid-js';
import type { LocalMedia } from '../media/local-media';
import { Icon } from './icons';

/** Microphone and Camera toggle buttons, the same on the join screen and in the toolbar. */
export function MediaToggles(props: { media: LocalMedia; onChange?(): void }): JSX.Element {
  const media = props.media;
  return (
    <>
      <button
        class="round-btn"
        classList={{ off: !media.micOn() }}
        aria-label="Microphone"
        aria-pressed={media.micOn()}
        title={media.micOn() ? 'Turn microphone off' : 'Turn microphone on'}
        onClick={() => {
          media.toggleMic();
          props.onChange?.();
        }}
      >
        <Icon name={media.micOn() ? 'mic' : 'micOff'} />
      </button>
      <button
        class="round-btn"
        classList={{ off: !media.camOn() }}
        aria-label="Camera"
        aria-pressed={media.camOn()}
        title={media.camOn() ? 'Turn camera off' : 'Turn camera on'}
        onClick={async () => {
          await media.toggleCam();
          props.onChange?.();
        }}
      >
        <Icon name={media.camOn() ? 'cam' : 'camOff'} />
      </button>
    </>
  );
}
