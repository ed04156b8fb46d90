import type { DownTrack, UpTrack } from '../../relay/sfu/interfaces';

/** An up track (from a publisher) that counts the keyframes the relay asks for. */
export function fakeUp(): UpTrack & { keyframes: number } {
  return { keyframes: 0, isOpen: () => true, requestKeyframe() { this.keyframes++; } };
}

/** A down track (to a subscriber) that records every packet the relay sends on it. */
export function fakeDown(): DownTrack & { packets: Buffer[] } {
  return { packets: [], isOpen: () => true, send(p) { this.packets.push(Buffer.from(p)); } };
}
