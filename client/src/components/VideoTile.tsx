import { createEffect, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { Participant, Reaction } from '../../../crdt/room/room-schema';
import { watchPlayback } from '../media/stats/playback-stall';
import { Icon } from './icons';
import { QualityBars } from './QualityBars';
import type { QualityGrade } from '../media/stats/link-quality';

export interface VideoTileProps {
  stream: MediaStream;
  name: string;
  micOn: boolean;
  camOn: boolean;
  /** Own camera: muted playback and mirrored, as people expect to see themselves. */
  self?: boolean;
  status?: string;
  peerId?: string;
  speaking?: boolean;
  handUp?: boolean;
  reaction?: Participant['reaction'];
  /** A shared screen: shown whole (letterboxed), never cropped. */
  screen?: boolean;
  /** Remote tiles can be pinned: the pinned person keeps the large tile. */
  pinned?: boolean;
  onPin?: () => void;
  /** The large tile of speaker layout. */
  featured?: boolean;
  /** The speaker (audio output device) this tile plays through; '' = the browser's default. */
  sinkId?: string;
  /** Connection quality: three bars, the figures in the tooltip. */
  quality?: { grade: QualityGrade; summary: string };
  /** A degraded mesh: people send video only while they speak, so a still video means "not now". */
  videoWhenSpeaking?: boolean;
  /** This person records the call (their signed Recording mark). */
  recording?: boolean;
}

/** With `videoWhenSpeaking`, video that has not moved for this long gives way to the initials. */
const STILL_AFTER_MS = 1_500;

const REACTION_SHOWN_MS = 5000;

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length === 0 ? '?' : words.slice(0, 2).map((w) => w[0]!.toUpperCase()).join(''));
}

export function VideoTile(props: VideoTileProps): JSX.Element {
  let video: HTMLVideoElement | undefined;
  createEffect(() => {
    // An empty stream would keep the element loading forever (and the page's load event with it).
    const stream = props.stream.getTracks().length > 0 ? props.stream : null;
    if (video && video.srcObject !== stream) {
      video.srcObject = stream;
      // autoplay alone sometimes left a re-laid-out tile unstarted (black, currentTime 0).
      void video.play().catch(() => undefined);
    }
  });
  createEffect(() => {
    const sinkId = props.sinkId;
    // setSinkId is missing in some browsers (and needs a secure context): they use the default.
    if (sinkId === undefined || !video || !('setSinkId' in video) || video.sinkId === sinkId) return;
    video.setSinkId(sinkId).catch((err: Error) => console.warn(`[confab] speaker choice not applied: ${err.message}`));
  });
  onMount(() => {
    const stop = watchPlayback(video!, () => console.info(`[confab] playback of ${props.self ? 'self view' : props.name}'s tile had stalled: restarted`));
    onCleanup(stop);
  });
  // Whether the video has moved lately (read only in a degraded mesh).
  const [still, setStill] = createSignal(false);
  onMount(() => {
    let last = -1;
    let movedAt = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      if (video!.currentTime !== last) movedAt = now;
      last = video!.currentTime;
      setStill(now - movedAt > STILL_AFTER_MS);
    }, 500);
    onCleanup(() => clearInterval(timer));
  });
  const heldUntilSpeech = () => !!props.videoWhenSpeaking && props.camOn && still();
  // A reaction shows for a few seconds from when it arrives here (peers' clocks differ).
  const [shownReaction, setShownReaction] = createSignal<string | null>(null);
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      () => props.reaction?.at,
      (at, previous) => {
        if (at === undefined || (previous === undefined && Date.now() - at > REACTION_SHOWN_MS)) return;
        setShownReaction(props.reaction!.emoji);
        clearTimeout(hideTimer);
        hideTimer = setTimeout(() => setShownReaction(null), REACTION_SHOWN_MS);
      },
    ),
  );
  onCleanup(() => clearTimeout(hideTimer));
  return (
    <figure
      class="tile"
      classList={{ 'tile-self': props.self, 'tile-cam-off': !props.camOn || heldUntilSpeech(), 'tile-screen': props.screen, 'tile-featured': props.featured }}
      data-peer-id={props.peerId}
      data-speaking={props.speaking ? 'true' : undefined}
      aria-label={props.self ? t('common.youName', { name: props.name }) : props.name}
    >
      {/* The video element stays mounted with the camera off: it also plays the audio. */}
      <video ref={video} autoplay playsinline muted={props.self} classList={{ mirrored: props.self }} />
      <Show when={!props.camOn || heldUntilSpeech()}>
        <div class="avatar" aria-hidden="true">
          {initials(props.name)}
        </div>
      </Show>
      <Show when={shownReaction()}>
        {(emoji) => (
          <div class="tile-reaction" role="img" aria-label={t('reaction.shown', { name: t(`reaction.${emoji() as Reaction}`) })}>
            {emoji()}
          </div>
        )}
      </Show>
      <Show when={props.recording}>
        <span class="rec-mark">{t('rec.mark')}</span>
      </Show>
      <Show when={props.quality}>
        {(q) => (
          <div class="tile-quality">
            <QualityBars grade={q().grade} summary={q().summary} />
          </div>
        )}
      </Show>
      <Show when={props.onPin}>
        {(onPin) => (
          <button
            class="pin-btn"
            classList={{ pinned: props.pinned }}
            aria-label={t(props.pinned ? 'tile.unpin' : 'tile.pin', { name: props.name })}
            aria-pressed={props.pinned ?? false}
            title={props.pinned ? t('tile.unpinTitle') : t('tile.pinTitle')}
            onClick={() => onPin()()}
          >
            <Icon name="pin" size={16} />
          </button>
        )}
      </Show>
      {/* The name label lights up, not the tile: a ring or outline over the whole tile left
          Chromium's video unpainted (black) in our screenshots. */}
      <figcaption class="tile-label" classList={{ speaking: props.speaking }}>
        <Show when={props.handUp}>
          <span class="hand" role="img" aria-label={t('people.handRaised')}>
            <Icon name="hand" size={16} />
          </span>
        </Show>
        <Show when={!props.micOn}>
          <span class="mic-muted" role="img" aria-label={t('tile.micOff')}>
            <Icon name="micOff" size={16} />
          </span>
        </Show>
        <span class="tile-name">{props.self ? t('common.you') : props.name}</span>
        <Show when={props.status || (heldUntilSpeech() ? t('tile.videoWhenSpeaking') : undefined)}>
          {(status) => <span class="tile-status">{status()}</span>}
        </Show>
      </figcaption>
    </figure>
  );
}
