import { readFileSync } from 'node:fs';

/**
 * The shipped media recording (tests/fixtures/media.rtp): RTP payloads captured once from
 * Chromium's fake camera and microphone, replayed by the load bots with fresh SSRCs, sequence
 * numbers and timestamps. Header extensions are not kept; bots add their own.
 *
 * File: "CFRTP1\n", then records of
 *   u8 stream (0 = Opus audio, 1/2/3 = VP8 low/mid/high), u8 marker (0/1),
 *   u32 arrival offset in µs from the start, u32 RTP timestamp minus the stream's first,
 *   u16 payload length, payload bytes.
 * Each video stream starts at a keyframe, so replay can loop it (and jump back to its start
 * when asked for a keyframe).
 */
export const RECORDING_MAGIC = 'CFRTP1\n';
export const STREAM_AUDIO = 0;

export interface RecordedPacket {
  stream: number;
  marker: boolean;
  atUs: number;
  rtpTs: number;
  payload: Buffer;
}

export interface Recording {
  /** Packets of each stream (index = stream), in arrival order. */
  streams: RecordedPacket[][];
  /** Length of one loop, µs (last arrival + one frame). */
  durationUs: number;
}

export function encodeRecording(packets: RecordedPacket[]): Buffer {
  const parts: Buffer[] = [Buffer.from(RECORDING_MAGIC)];
  for (const p of packets) {
    const head = Buffer.alloc(12);
    head.writeUInt8(p.stream, 0);
    head.writeUInt8(p.marker ? 1 : 0, 1);
    head.writeUInt32BE(p.atUs, 2);
    head.writeUInt32BE(p.rtpTs >>> 0, 6);
    head.writeUInt16BE(p.payload.length, 10);
    parts.push(head, p.payload);
  }
  return Buffer.concat(parts);
}

export function decodeRecording(file: Buffer): Recording {
  if (file.subarray(0, RECORDING_MAGIC.length).toString() !== RECORDING_MAGIC) throw new Error('not a Confab RTP recording');
  const streams: RecordedPacket[][] = [[], [], [], []];
  let at = RECORDING_MAGIC.length;
  let lastUs = 0;
  while (at + 12 <= file.length) {
    const stream = file.readUInt8(at);
    const len = file.readUInt16BE(at + 10);
    const packet: RecordedPacket = {
      stream,
      marker: file.readUInt8(at + 1) === 1,
      atUs: file.readUInt32BE(at + 2),
      rtpTs: file.readUInt32BE(at + 6),
      payload: file.subarray(at + 12, at + 12 + len),
    };
    (streams[stream] ??= []).push(packet);
    lastUs = Math.max(lastUs, packet.atUs);
    at += 12 + len;
  }
  return { streams, durationUs: lastUs + 50_000 };
}

export const FIXTURE_PATH = new URL('../fixtures/media.rtp', import.meta.url);

export function loadRecording(): Recording {
  return decodeRecording(readFileSync(FIXTURE_PATH));
}
