/**
 * A local recording of the call as this page shows it: the stage (every visible tile, the
 * shared screen, the self-view) drawn onto a canvas, and every voice plus your own microphone
 * mixed in WebAudio, into MediaRecorder. The file is made in the browser and saved as a
 * download; nothing is uploaded. Loaded only when someone presses Start recording.
 */
const FRAME_RATE = 15;
const WIDTH = 1280;
const HEIGHT = 720;
const RESCAN_MS = 1000;

export interface RecordingResult {
  blob: Blob;
  fileName: string;
  durationMs: number;
}

/** WebM with VP8/VP9 and Opus, whichever this browser's MediaRecorder takes. */
export function recordingMimeType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  for (const type of ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm']) {
    if (MediaRecorder.isTypeSupported(type)) return type;
  }
  return null;
}

export class CallRecorder {
  private readonly canvas = document.createElement('canvas');
  private readonly g: CanvasRenderingContext2D;
  private readonly audio = new AudioContext();
  private readonly mix = this.audio.createMediaStreamDestination();
  private readonly sources = new Map<string, MediaStreamAudioSourceNode>();
  private readonly chunks: Blob[] = [];
  private readonly recorder: MediaRecorder;
  private readonly startedAt = performance.now();
  private drawTimer: ReturnType<typeof setInterval> | undefined;
  private scanTimer: ReturnType<typeof setInterval> | undefined;

  /** `stage`: the element whose media is recorded (the room's main area). */
  constructor(private readonly stage: HTMLElement) {
    const mimeType = recordingMimeType();
    if (!mimeType) throw new Error('MediaRecorder with WebM is not available');
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.g = this.canvas.getContext('2d')!;
    this.draw();
    const video = this.canvas.captureStream(FRAME_RATE).getVideoTracks()[0]!;
    this.scanAudio();
    this.recorder = new MediaRecorder(new MediaStream([video, ...this.mix.stream.getAudioTracks()]), {
      mimeType,
      videoBitsPerSecond: 2_500_000,
      audioBitsPerSecond: 128_000,
    });
    this.recorder.ondataavailable = (e) => e.data.size > 0 && this.chunks.push(e.data);
    this.recorder.start(1000);
    // Timers, not requestAnimationFrame: a background tab keeps recording (at a lower rate).
    this.drawTimer = setInterval(() => this.draw(), 1000 / FRAME_RATE);
    this.scanTimer = setInterval(() => this.scanAudio(), RESCAN_MS);
  }

  /** Ends the recording; resolves with the file. */
  async stop(): Promise<RecordingResult> {
    clearInterval(this.drawTimer);
    clearInterval(this.scanTimer);
    const done = new Promise<void>((resolve) => this.recorder.addEventListener('stop', () => resolve(), { once: true }));
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    await done;
    this.recorder.stream.getTracks().forEach((t) => t.stop());
    for (const source of this.sources.values()) source.disconnect();
    await this.audio.close().catch(() => undefined);
    const blob = new Blob(this.chunks, { type: 'video/webm' });
    return { blob, fileName: fileName(new Date()), durationMs: performance.now() - this.startedAt };
  }

  /** Every audio track playing on the stage, joined into the mix as it appears (people come and go). */
  private scanAudio(): void {
    const live = new Set<string>();
    for (const el of this.stage.querySelectorAll<HTMLMediaElement>('video, audio')) {
      const stream = el.srcObject instanceof MediaStream ? el.srcObject : null;
      for (const track of stream?.getAudioTracks() ?? []) {
        if (track.readyState !== 'live') continue;
        live.add(track.id);
        if (this.sources.has(track.id)) continue;
        const source = this.audio.createMediaStreamSource(new MediaStream([track]));
        source.connect(this.mix);
        this.sources.set(track.id, source);
      }
    }
    for (const [id, source] of this.sources) {
      if (!live.has(id)) {
        source.disconnect();
        this.sources.delete(id);
      }
    }
  }

  /** The stage as laid out on screen, scaled into the canvas: each visible video in its place. */
  private draw(): void {
    const g = this.g;
    g.fillStyle = '#0f1115';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    const area = this.stage.getBoundingClientRect();
    if (area.width === 0 || area.height === 0) return;
    const scale = Math.min(WIDTH / area.width, HEIGHT / area.height);
    const offsetX = (WIDTH - area.width * scale) / 2;
    const offsetY = (HEIGHT - area.height * scale) / 2;
    for (const tile of this.stage.querySelectorAll<HTMLElement>('figure.tile')) {
      const box = tile.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || tile.closest('.off-page')) continue;
      const x = offsetX + (box.left - area.left) * scale;
      const y = offsetY + (box.top - area.top) * scale;
      const w = box.width * scale;
      const h = box.height * scale;
      g.fillStyle = '#000';
      g.fillRect(x, y, w, h);
      const video = tile.querySelector('video');
      const camOff = tile.classList.contains('tile-cam-off');
      if (video && !camOff && video.videoWidth > 0) {
        drawVideo(g, video, x, y, w, h, tile.classList.contains('tile-screen') || tile.classList.contains('tile-featured'), video.classList.contains('mirrored'));
      } else {
        const initials = tile.querySelector('.avatar')?.textContent ?? '';
        g.fillStyle = '#394056';
        g.beginPath();
        g.arc(x + w / 2, y + h / 2, Math.min(w, h) / 6, 0, Math.PI * 2);
        g.fill();
        g.fillStyle = '#eef0f4';
        g.font = `700 ${Math.round(Math.min(w, h) / 8)}px system-ui, sans-serif`;
        g.textAlign = 'center';
        g.textBaseline = 'middle';
        g.fillText(initials, x + w / 2, y + h / 2);
      }
      const name = tile.querySelector('.tile-name')?.textContent;
      if (name) {
        g.font = `600 ${Math.max(11, Math.round(14 * scale))}px system-ui, sans-serif`;
        g.textAlign = 'left';
        g.textBaseline = 'bottom';
        const pad = 6 * scale;
        const textW = g.measureText(name).width;
        g.fillStyle = 'rgba(0,0,0,0.55)';
        g.fillRect(x + pad, y + h - pad - 22 * scale, textW + 2 * pad, 20 * scale);
        g.fillStyle = '#eef0f4';
        g.fillText(name, x + 2 * pad, y + h - pad - 5 * scale);
      }
    }
  }
}

/** `object-fit: cover` (tiles) or `contain` (screens, the large tile), mirrored like the self-view. */
function drawVideo(g: CanvasRenderingContext2D, video: HTMLVideoElement, x: number, y: number, w: number, h: number, contain: boolean, mirrored: boolean): void {
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  const s = contain ? Math.min(w / vw, h / vh) : Math.max(w / vw, h / vh);
  const dw = vw * s;
  const dh = vh * s;
  g.save();
  g.beginPath();
  g.rect(x, y, w, h);
  g.clip();
  if (mirrored) {
    g.translate(x + w, y);
    g.scale(-1, 1);
    g.drawImage(video, (w - dw) / 2, (h - dh) / 2, dw, dh);
  } else {
    g.drawImage(video, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  }
  g.restore();
}

const pad2 = (n: number) => String(n).padStart(2, '0');
function fileName(d: Date): string {
  return `confab-${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}-${pad2(d.getHours())}${pad2(d.getMinutes())}.webm`;
}

/** Saves the file through the browser's downloads (an object URL on a link: nothing leaves the device). */
export function saveRecording(result: RecordingResult): void {
  const url = URL.createObjectURL(result.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = result.fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
