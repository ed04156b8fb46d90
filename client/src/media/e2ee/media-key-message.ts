import { fromBase64Url, toBase64Url } from '../../../../crdt/protocol/base64url';
import { MEDIA_KEY_BYTES, type MediaKey } from './media-keyring';

const utf8 = new TextEncoder();

/** A media key as it crosses a peer data channel: JSON {epoch, key}, the key in base64url. */
export function encodeMediaKey(key: MediaKey): Uint8Array {
  return utf8.encode(JSON.stringify({ epoch: key.epoch, key: toBase64Url(key.raw) }));
}

/** Null for anything that is not a well-formed media key message. */
export function decodeMediaKey(bytes: Uint8Array): MediaKey | null {
  if (bytes.length > 256) return null;
  try {
    const m = JSON.parse(new TextDecoder().decode(bytes)) as { epoch?: unknown; key?: unknown };
    if (typeof m.epoch !== 'number' || !Number.isSafeInteger(m.epoch) || m.epoch < 0 || typeof m.key !== 'string') return null;
    const raw = fromBase64Url(m.key);
    return raw.length === MEDIA_KEY_BYTES ? { epoch: m.epoch, raw: raw as Uint8Array<ArrayBuffer> } : null;
  } catch {
    return null;
  }
}
