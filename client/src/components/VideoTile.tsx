import { createEffect, Show, type JSX } from 'solid-js';
import { Icon } from './icons';

export interface VideoTileProps {
  stream: MediaStream;
  name: string;
  micOn: boolean;
  camOn: boolean;
  /** Own camera: muted playback and mirrored, as people expect to see themselves. */
  self?: boolean;
  status?: string;
  peerId?: string;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length === 0 ? '?' : words.slice(0, 2).map((w) => w[0]!.toUpperCase()).join(''));
}

export function VideoTile(props: VideoTileProps): JSX.Element {
  let video: HTMLVideoElement | undefined;
  createEffect(() => {
    // An empty stream would keep the element loading forever (and the page's load event with it).
    const stream = props.stream.getTracks().length > 0 ? props.stream : null;
    if (video && video.srcObject !== stream) video.srcObject = stream;
  });
  return (
    <figure
      class="tile"
      classList={{ 'tile-self': props.self, 'tile-cam-off': !props.camOn }}
      data-peer-id={props.peerId}
      aria-label={props.self ? `You (${props.name})` : props.name}
    >
      {/* The video element stays mounted with the camera off: it also plays the audio. */}
      <video ref={video} autoplay playsinline muted={props.self} classList={{ mirrored: props.self }} />
      <Show when={!props.camOn}>
        <div class="avatar" aria-hidden="true">
          {initials(props.name)}
        </div>
      </Show>
      <figcaption class="tile-label">
        <Show when={!props.micOn}>
          <span class="mic-muted" role="img" aria-label="Microphone off">
            <Icon name="micOff" size={16} />
          </span>
        </Show>
        <span class="tile-name">{props.self ? 'You' : props.name}</span>
        <Show when={props.status}>
          <span class="tile-status">{props.status}</span>
        </Show>
      </figcaption>
    </figure>
  );
}
