import { clearPrefixBytes, openFrame, sealedCounter, sealedLabel } from './frame-crypto';
import type { SenderKeys } from './sender-keys';
import type { EncodedVideoFrame, OpenResult } from './video-receiver';
import type { RtpMedia } from '../media-kind';

export interface OpenCounts {
  opened: number;
  failed: number;
  replayed: number;
}

/**
 * Opens one received frame in place (its data becomes the plaintext): the sender and epoch its
 * trailer names, the replay window, the authenticated open. `no-key` when we hold no key for
 * its epoch (yet); `refused` when it does not open or was seen before.
 */
export async function openFrameInPlace(keys: SenderKeys | null, kind: RtpMedia, frame: EncodedVideoFrame, counts: OpenCounts): Promise<OpenResult> {
  const sealed = new Uint8Array(frame.data);
  const label = sealedLabel(sealed);
  const sender = label && keys?.opening(label.keyId, label.senderIndex);
  if (!sender) {
    counts.failed++;
    return label ? { result: 'no-key', keyId: label.keyId } : { result: 'refused' };
  }
  const frameCounter = sealedCounter(sealed);
  if (!sender.replays.fresh(frameCounter)) return (counts.replayed++, { result: 'refused' });
  const plain = await openFrame(sender.key, sender, sealed, clearPrefixBytes(kind, frame.type === 'key'));
  if (!plain) return (counts.failed++, { result: 'refused' });
  if (!sender.replays.accept(frameCounter)) return (counts.replayed++, { result: 'refused' });
  frame.data = plain.buffer;
  counts.opened++;
  return { result: 'opened' };
}
