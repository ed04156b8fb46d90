import type { WantedLayer } from '../../../crdt/protocol/relay-wire';

/**
 * Widths of the three published layers for a 640-px camera (scales 4/2/1). A layer is good
 * enough for a tile up to 1.5× its width: the next one up costs four times the pixels.
 */
const LOW_MAX_PX = 160 * 1.5;
const MID_MAX_PX = 320 * 1.5;

/** Which layer a tile of `tileWidthPx` CSS pixels needs; `none` when it is not shown. */
export function layerForTile(tileWidthPx: number, visible: boolean, pixelRatio = 1): WantedLayer {
  const devicePx = tileWidthPx * pixelRatio;
  if (!visible || !(devicePx > 0)) return 'none';
  if (devicePx <= LOW_MAX_PX) return 'low';
  if (devicePx <= MID_MAX_PX) return 'mid';
  return 'high';
}
