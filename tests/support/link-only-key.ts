import { senderFrameKey } from '../../client/src/media/e2ee/frame-crypto';

/**
 * The best a link holder can do (attack 3): every key it can compute comes from the link
 * alone. This is how the epoch-0 key used to be made (HKDF of the room secret), used as the
 * epoch secret of the sender key schedule: if frames still came from the link, this opens them.
 */
export async function linkOnlyFrameKey(link: string, epoch: number, senderId: string): Promise<CryptoKey> {
  const [, roomId, secret] = /#([\w-]{22})\.([\w-]{22})/.exec(link)!;
  const base = await crypto.subtle.importKey('raw', new Uint8Array(Buffer.from(secret!, 'base64url')), 'HKDF', false, ['deriveBits']);
  const epochSecret = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode(roomId), info: new TextEncoder().encode('confab/media/v1/epoch-0') },
    base,
    256,
  );
  return senderFrameKey(new Uint8Array(epochSecret), epoch, senderId);
}
