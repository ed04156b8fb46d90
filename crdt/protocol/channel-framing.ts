import { CHANNEL_CHUNK_BYTES, ChannelTag } from './wire';

/** Tags `bytes` and cuts them into data-channel messages of at most `chunkBytes`. */
export function frameMessage(tag: number, bytes: Uint8Array, chunkBytes = CHANNEL_CHUNK_BYTES): Uint8Array[] {
  if (bytes.length + 1 <= chunkBytes) {
    const out = new Uint8Array(bytes.length + 1);
    out[0] = tag;
    out.set(bytes, 1);
    return [out];
  }
  const pieceBytes = chunkBytes - 3;
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
    const piece = bytes.subarray(offset, offset + pieceBytes);
    const out = new Uint8Array(piece.length + 3);
    out[0] = ChannelTag.Chunk;
    out[1] = tag;
    out[2] = offset + pieceBytes < bytes.length ? 1 : 0;
    out.set(piece, 3);
    frames.push(out);
  }
  return frames;
}

/**
 * Puts chunked messages back together, one per channel. A message that grows past
 * `maxBytes` is dropped whole (a hostile or broken peer cannot make us buffer without end).
 */
export class Reassembler {
  private pieces: Uint8Array[] = [];
  private size = 0;
  private tag = -1;
  private overflowed = false;

  constructor(private readonly maxBytes: number) {}

  /** Returns a whole message when one is complete, else null. */
  push(frame: Uint8Array): { tag: number; bytes: Uint8Array } | null {
    if (frame[0] !== ChannelTag.Chunk) return frame.length > 0 ? { tag: frame[0]!, bytes: frame.subarray(1) } : null;
    if (frame.length < 3) return null;
    const [, tag, more] = frame as unknown as [number, number, number];
    if (this.tag !== -1 && tag !== this.tag) this.reset();
    this.tag = tag;
    this.size += frame.length - 3;
    if (this.size > this.maxBytes) this.overflowed = true;
    if (!this.overflowed) this.pieces.push(frame.slice(3));
    if (more) return null;
    const whole = this.overflowed ? null : concat(this.pieces, this.size);
    this.reset();
    return whole ? { tag, bytes: whole } : null;
  }

  private reset(): void {
    this.pieces = [];
    this.size = 0;
    this.tag = -1;
    this.overflowed = false;
  }
}

function concat(pieces: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of pieces) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
