/**
 * One received video stream in the transform worker, between its frames and the decoder.
 *
 * A decoder that missed frames (sent before we held their epoch: a newcomer, a new epoch)
 * cannot use the deltas that follow, and the browser would ask the sender for a keyframe only
 * after its own timeout (~200 ms or more). So:
 * - a frame under a key we do not hold yet (a new epoch on its way to us) asks for a keyframe
 *   at once, and the keyframe and what follows it are kept, up to MAX_HELD_FRAMES, to be opened
 *   the moment the epoch is installed;
 * - after a gap, a delta that opens asks for a keyframe, at most every
 *   KEYFRAME_REQUEST_INTERVAL_MS, until one opens. Deltas still go on to the decoder, so the
 *   browser's own recovery (its keyframe requests) keeps working beside ours.
 */
export const KEYFRAME_REQUEST_INTERVAL_MS = 50;
/** Two seconds of 30 fps video: what a slow key delivery may hold back. */
export const MAX_HELD_FRAMES = 60;

export interface EncodedVideoFrame {
  data: ArrayBuffer;
  /** Video only: 'key' | 'delta' | 'empty'. */
  type?: string;
}

/** What opening one frame came to (an opened frame's data is replaced by its plaintext). */
export type OpenResult = { result: 'opened' } | { result: 'no-key'; keyId: number } | { result: 'refused' };

export interface VideoReceiverOptions {
  open(frame: EncodedVideoFrame): Promise<OpenResult>;
  requestKeyFrame(): void;
  now?(): number;
}

export class VideoReceiver {
  private missed = true;
  private askedAt = -Infinity;
  private unknownKeyId = -1;
  private held: EncodedVideoFrame[] = [];
  private out: TransformStreamDefaultController<EncodedVideoFrame> | null = null;
  /** Frames and retries run one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: VideoReceiverOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** The transform's step for one frame. */
  transform(frame: EncodedVideoFrame, out: TransformStreamDefaultController<EncodedVideoFrame>): Promise<void> {
    this.out = out;
    return (this.chain = this.chain.then(async () => void (await this.take(frame))));
  }

  /** An epoch was installed: held frames may open now; a receiver that missed frames asks for a keyframe. */
  epochInstalled(): Promise<void> {
    return (this.chain = this.chain.then(async () => {
      const held = this.held;
      this.held = [];
      for (const [i, frame] of held.entries()) {
        if (!(await this.take(frame, true))) {
          if (this.held.length === 0) this.held = held.slice(i);
          break;
        }
      }
      this.ask();
    }));
  }

  /** Frames kept until their key arrives. */
  get heldFrames(): number {
    return this.held.length;
  }

  /** False when `frame` waits for its key (only when `retry`: a held frame stays held). */
  private async take(frame: EncodedVideoFrame, retry = false): Promise<boolean> {
    if (frame.data.byteLength === 0) return this.pass(frame);
    const opened = await this.opts.open(frame);
    if (opened.result === 'no-key') {
      this.missed = true;
      if (opened.keyId !== this.unknownKeyId) {
        this.unknownKeyId = opened.keyId;
        this.askedAt = -Infinity;
      }
      this.ask();
      if (!retry) this.hold(frame);
      return false;
    }
    if (opened.result === 'refused') {
      this.missed = true;
      return true;
    }
    if (!retry) this.held = [];
    if (frame.type === 'key') this.missed = false;
    else this.ask();
    return this.pass(frame);
  }

  private hold(frame: EncodedVideoFrame): void {
    if (frame.type === 'key') this.held = [frame];
    else if (this.held.length > 0 && this.held.length < MAX_HELD_FRAMES) this.held.push(frame);
    else this.held = [];
  }

  private pass(frame: EncodedVideoFrame): true {
    this.out?.enqueue(frame);
    return true;
  }

  private ask(): void {
    if (!this.missed || this.now() - this.askedAt < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.askedAt = this.now();
    this.opts.requestKeyFrame();
  }
}
