import { LAYER_NONE, type LayerIndex } from './interfaces';

/**
 * Which layer of one publisher a tile forwards. The subscriber names the layer it wants; the
 * selector keeps forwarding the current one until the wanted layer delivers a keyframe, so the
 * down stream never carries a frame the decoder cannot use. Switching down to "none" is
 * immediate.
 */
export class LayerSelector {
  current: LayerIndex = LAYER_NONE;
  wanted: LayerIndex = LAYER_NONE;
  /** performance.now() of the last keyframe request made for `wanted`, 0 if none pending. */
  keyframeAskedAtMs = 0;

  /** Sets the wanted layer; true when a keyframe should be asked of that layer upstream. */
  want(layer: LayerIndex): boolean {
    this.wanted = layer;
    if (layer === LAYER_NONE) {
      this.current = LAYER_NONE;
      return false;
    }
    return layer !== this.current;
  }

  /** Should a packet of `layer` be forwarded? `keyframeStart` marks the first packet of a keyframe. */
  accept(layer: LayerIndex, keyframeStart: boolean): boolean {
    if (layer === this.current) return true;
    if (layer === this.wanted && keyframeStart) {
      this.current = layer;
      this.keyframeAskedAtMs = 0;
      return true;
    }
    return false;
  }

  /** Waiting for a keyframe of the wanted layer. */
  get pending(): boolean {
    return this.wanted !== this.current;
  }
}
