import type { EncodedVideoFrame } from './video-receiver';

/**
 * One sent video stream in the transform worker, between the encoder and the packetizer.
 *
 * A new link's encoder starts with a keyframe, and the browser sends the next one only when
 * asked (Chromium has no generateKeyFrame for a sender, and throttles requests). On a link
 * made for a newcomer that keyframe would leave sealed under an epoch the newcomer will never
 * hold, and its first picture would wait for a keyframe request's round trip. So a new stream
 * keeps its frames, from the last keyframe on, until we next switch epochs (the epoch that
 * names the newcomer) and sends them then, sealed under it; or, if no switch comes within
 * NEW_STREAM_HOLD_MS (a link remade to someone who holds our epoch already), sends them under
 * the epoch we have. Nothing is held once the stream has sent.
 */
export const NEW_STREAM_HOLD_MS = 300;
/** A second and a half of 30 fps video. */
export const MAX_HELD_SENT_FRAMES = 45;

export interface VideoSenderOptions {
  /** Seals in place under the epoch we send under now; false when we have none (the frame must not leave). */
  seal(frame: EncodedVideoFrame): Promise<boolean>;
  /** performance.now() of our last epoch switch, or -Infinity. */
  switchedAt(): number;
  now?(): number;
}

export class VideoSender {
  private readonly born: number;
  private holding = true;
  private held: EncodedVideoFrame[] = [];
  private out: TransformStreamDefaultController<EncodedVideoFrame> | null = null;
  /** Frames and the flush run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: VideoSenderOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.born = this.now();
  }

  transform(frame: EncodedVideoFrame, out: TransformStreamDefaultController<EncodedVideoFrame>): Promise<void> {
    this.out = out;
    return (this.chain = this.chain.then(() => this.take(frame)));
  }

  /** We switched epochs: a new stream sends what it holds, under the new epoch. */
  switched(): Promise<void> {
    return (this.chain = this.chain.then(() => this.release()));
  }

  get heldFrames(): number {
    return this.held.length;
  }

  private async take(frame: EncodedVideoFrame): Promise<void> {
    if (this.holding && this.opts.switchedAt() <= this.born && this.now() - this.born < NEW_STREAM_HOLD_MS) {
      if (frame.type === 'key') this.held = [frame];
      else if (this.held.length > 0 && this.held.length < MAX_HELD_SENT_FRAMES) this.held.push(frame);
      return;
    }
    await this.release();
    await this.send(frame);
  }

  private async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const frame of held) await this.send(frame);
  }

  private async send(frame: EncodedVideoFrame): Promise<void> {
    if (frame.data.byteLength === 0 || (await this.opts.seal(frame))) this.out?.enqueue(frame);
  }
}
