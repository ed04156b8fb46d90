import { createMemo, type JSX } from 'solid-js';
import { renderSVG } from 'uqr';

/** A QR code of `text`, drawn locally (no image service): phones in the room scan the link. */
export function QrCode(props: { text: string; label: string }): JSX.Element {
  const svg = createMemo(() => renderSVG(props.text, { border: 2, whiteColor: '#ffffff', blackColor: '#000000' }));
  return <div class="qr" role="img" aria-label={props.label} innerHTML={svg()} />;
}
