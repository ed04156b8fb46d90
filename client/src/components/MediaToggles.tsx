import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';
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
        aria-label={t('media.microphone')}
        aria-pressed={media.micOn()}
        title={media.micOn() ? t('media.micOffTitle') : t('media.micOnTitle')}
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
        aria-label={t('media.camera')}
        aria-pressed={media.camOn()}
        title={media.camOn() ? t('media.camOffTitle') : t('media.camOnTitle')}
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
