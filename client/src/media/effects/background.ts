import type { MediaEffect } from '../local-media';
import { canSegment } from './can-segment';

export { canSegment };

/** MediaPipe's selfie segmentation solution, as its script defines it on window. */
interface SegmentationResults {
  image: CanvasImageSource;
  segmentationMask: CanvasImageSource;
}
interface SelfieSegmentation {
  setOptions(options: { modelSelection?: number; selfieMode?: boolean }): void;
  onResults(listener: (results: SegmentationResults) => void): void;
  initialize(): Promise<void>;
  send(inputs: { image: HTMLVideoElement | HTMLCanvasElement }): Promise<void>;
  close(): Promise<void>;
}
type SelfieSegmentationClass = new (config: { locateFile: (file: string) => string }) => SelfieSegmentation;

/** Where the build puts MediaPipe's files (vite.config.ts): our own origin, next to the page. */
const SEGMENTER_BASE = new URL('vendor/selfie_segmentation/', document.baseURI).href;

export type BackgroundLook = { kind: 'blur' } | { kind: 'image'; url: string };

let scriptLoaded: Promise<SelfieSegmentationClass> | null = null;
function loadSegmenterScript(): Promise<SelfieSegmentationClass> {
  scriptLoaded ??= new Promise<SelfieSegmentationClass>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${SEGMENTER_BASE}selfie_segmentation.js`;
    script.onload = () => {
      const found = (window as { SelfieSegmentation?: SelfieSegmentationClass }).SelfieSegmentation;
      if (found) resolve(found);
      else reject(new Error('the segmenter script defined nothing'));
    };
    script.onerror = () => {
      scriptLoaded = null;
      reject(new Error('the segmenter script did not load'));
    };
    document.head.append(script);
  });
  return scriptLoaded;
}

export interface BackgroundStats {
  /** Frames sent (composited) and segmentations done. */
  frames: number;
  segmentations: number;
  /** Mean milliseconds per segmentation (MediaPipe's send, to results) and per composited frame. */
  segmentMs: number;
  composeMs: number;
  /** Composited frames per second since the effect started, and masks per second. */
  fps: number;
  masksPerSecond: number;
  /**
   * Mean milliseconds from a camera frame's arrival (requestVideoFrameCallback) to its
   * composite being on the canvas: the delay the effect adds before encoding (0: not measured).
   */
  addedLatencyMs: number;
}

/**
 * Blur or replace the background of the camera, before encoding: the camera's frames go
 * through MediaPipe's selfie segmenter (its wasm and model served from our origin) and a
 * canvas that keeps the person over a blurred frame or the chosen image; the canvas's stream
 * is what the connections send and the self-view shows. Segmentation runs as fast as it can
 * beside the frames (one at a time), and every frame is composited with the latest mask, so a
 * slow machine gets a lagging edge rather than a slow camera. Until the first mask, the whole
 * frame is blurred: nothing of the room shows while the effect starts.
 */
export class BackgroundEffect implements MediaEffect {
  private look: BackgroundLook;
  private image: HTMLImageElement | null = null;
  private segmenter: SelfieSegmentation | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private out: MediaStreamTrack | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private mask: CanvasImageSource | null = null;
  private segmenting = false;
  /** Not before then: segmentation takes at most about half of the page's time. */
  private nextSegmentAt = 0;
  /** What the segmenter is given: the frame at about its model's size (256×144), not 640×480. */
  private readonly input = Object.assign(document.createElement('canvas'), { width: 256, height: 192 });
  private running = 0;
  private readonly person = document.createElement('canvas');
  /** The latest mask, copied out of MediaPipe's result (its own buffer is reused). */
  private readonly maskCanvas = document.createElement('canvas');
  private readonly small = document.createElement('canvas');
  private totals = { frames: 0, segmentations: 0, segmentMs: 0, composeMs: 0, since: performance.now(), latencyMs: 0, latencySamples: 0 };
  /** When the camera's newest frame arrived, and whether it has been composited yet. */
  private frameArrivedAt = 0;
  private frameComposited = true;

  constructor(look: BackgroundLook) {
    this.look = look;
    void this.loadImage();
  }

  /** Switches between blur and an image without restarting the camera or the segmenter. */
  setLook(look: BackgroundLook): void {
    this.look = look;
    void this.loadImage();
  }

  stats(): BackgroundStats {
    const t = this.totals;
    const seconds = Math.max(0.001, (performance.now() - t.since) / 1000);
    return {
      frames: t.frames,
      segmentations: t.segmentations,
      segmentMs: t.segmentations ? t.segmentMs / t.segmentations : 0,
      composeMs: t.frames ? t.composeMs / t.frames : 0,
      fps: t.frames / seconds,
      masksPerSecond: t.segmentations / seconds,
      addedLatencyMs: t.latencySamples ? t.latencyMs / t.latencySamples : 0,
    };
  }

  async start(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    this.stop();
    const run = ++this.running;
    if (!canSegment()) throw new Error('no WebGL or WebAssembly');
    const Segmenter = await loadSegmenterScript();
    this.segmenter ??= await this.newSegmenter(Segmenter);
    if (run !== this.running) throw new Error('stopped while starting');
    const settings = raw.getSettings();
    const width = settings.width ?? 640;
    const height = settings.height ?? 480;
    const fps = Math.min(30, Math.round(settings.frameRate ?? 24));
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([raw]);
    await video.play();
    if (run !== this.running) throw new Error('stopped while starting');
    this.video = video;
    this.canvas = Object.assign(document.createElement('canvas'), { width, height });
    this.person.width = width;
    this.person.height = height;
    // The blur: the frame drawn tiny and scaled back up (cheap, and the same in every browser).
    this.small.width = Math.max(8, Math.round(width / 24));
    this.small.height = Math.max(6, Math.round(height / 24));
    this.mask = null;
    this.totals = { frames: 0, segmentations: 0, segmentMs: 0, composeMs: 0, since: performance.now(), latencyMs: 0, latencySamples: 0 };
    this.watchFrames(video, run);
    this.out = this.canvas.captureStream(fps).getVideoTracks()[0]!;
    // Timers, not requestVideoFrameCallback: they go on (slower) while the tab is hidden.
    this.timer = setInterval(() => this.frame(), 1000 / fps);
    return this.out;
  }

  stop(): void {
    this.running++;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out?.stop();
    this.out = null;
    if (this.video) this.video.srcObject = null;
    this.video = null;
    this.canvas = null;
    this.mask = null;
  }

  /** Also closes the segmenter (the effect is let go: background off). */
  dispose(): void {
    this.stop();
    void this.segmenter?.close().catch(() => undefined);
    this.segmenter = null;
  }

  private async newSegmenter(Segmenter: SelfieSegmentationClass): Promise<SelfieSegmentation> {
    const segmenter = new Segmenter({ locateFile: (file) => `${SEGMENTER_BASE}${file}` });
    // 1: the landscape model (256×144), the one meant for video calls.
    segmenter.setOptions({ modelSelection: 1, selfieMode: false });
    segmenter.onResults((results) => {
      const mask = results.segmentationMask as CanvasImageSource & { width: number; height: number };
      if (this.maskCanvas.width !== mask.width || this.maskCanvas.height !== mask.height) Object.assign(this.maskCanvas, { width: mask.width, height: mask.height });
      const m = this.maskCanvas.getContext('2d')!;
      m.globalCompositeOperation = 'copy';
      m.drawImage(mask, 0, 0);
      this.mask = this.maskCanvas;
    });
    await segmenter.initialize();
    return segmenter;
  }

  private async loadImage(): Promise<void> {
    if (this.look.kind !== 'image') return;
    const url = this.look.url;
    const img = new Image();
    img.src = url;
    await img.decode().catch(() => undefined);
    if (this.look.kind === 'image' && this.look.url === url) this.image = img;
  }

  private frame(): void {
    const video = this.video;
    const canvas = this.canvas;
    if (!video || !canvas || video.readyState < 2) return;
    const started = performance.now();
    const { width, height } = canvas;
    const g = canvas.getContext('2d')!;
    if (this.look.kind === 'image' && this.image && this.mask) drawCover(g, this.image, width, height);
    else this.drawBlurred(g, video, width, height);
    if (this.mask) {
      const p = this.person.getContext('2d')!;
      p.globalCompositeOperation = 'copy';
      p.drawImage(this.mask, 0, 0, width, height);
      p.globalCompositeOperation = 'source-in';
      p.drawImage(video, 0, 0, width, height);
      g.drawImage(this.person, 0, 0);
    }
    this.totals.frames++;
    const done = performance.now();
    this.totals.composeMs += done - started;
    if (!this.frameComposited && this.frameArrivedAt > 0) {
      this.frameComposited = true;
      this.totals.latencyMs += done - this.frameArrivedAt;
      this.totals.latencySamples++;
    }
    this.segment(video);
  }

  /** Notes when each camera frame arrives, to measure the delay the effect adds. */
  private watchFrames(video: HTMLVideoElement, run: number): void {
    if (typeof video.requestVideoFrameCallback !== 'function') return;
    const onFrame = () => {
      if (run !== this.running || this.video !== video) return;
      this.frameArrivedAt = performance.now();
      this.frameComposited = false;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  private drawBlurred(g: CanvasRenderingContext2D, video: HTMLVideoElement, width: number, height: number): void {
    const s = this.small.getContext('2d')!;
    s.imageSmoothingQuality = 'high';
    s.drawImage(video, 0, 0, this.small.width, this.small.height);
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = 'high';
    g.drawImage(this.small, 0, 0, width, height);
  }

  private segment(video: HTMLVideoElement): void {
    const started = performance.now();
    if (this.segmenting || !this.segmenter || started < this.nextSegmentAt) return;
    this.segmenting = true;
    const run = this.running;
    this.input.height = Math.round((this.input.width * video.videoHeight) / Math.max(1, video.videoWidth));
    this.input.getContext('2d')!.drawImage(video, 0, 0, this.input.width, this.input.height);
    this.segmenter
      .send({ image: this.input })
      .then(() => {
        if (run !== this.running) return;
        const took = performance.now() - started;
        this.totals.segmentations++;
        this.totals.segmentMs += took;
        // A slow machine: frames keep coming between masks (the edge lags, the camera does not).
        this.nextSegmentAt = performance.now() + Math.max(0, took - 1000 / 30);
      })
      .catch((err: Error) => console.warn(`[confab] segmentation failed: ${err.message}`))
      .finally(() => {
        this.segmenting = false;
      });
  }
}

/** An image filling the frame, cropped like `object-fit: cover`. */
function drawCover(g: CanvasRenderingContext2D, img: HTMLImageElement, width: number, height: number): void {
  const iw = img.naturalWidth || width;
  const ih = img.naturalHeight || height;
  const s = Math.max(width / iw, height / ih);
  g.drawImage(img, (width - iw * s) / 2, (height - ih * s) / 2, iw * s, ih * s);
}
