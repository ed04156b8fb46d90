import { toBase64Url } from '../protocol/base64url';

/**
 * The room's signaling topic: base64url(SHA-256(`confab/room/v1/<roomId>`)). Servers see only
 * this hash; the relay node also uses it to check that a control record's room is its room.
 */
export async function roomTopicFor(roomId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`confab/room/v1/${roomId}`));
  return toBase64Url(new Uint8Array(digest));
}
