/**
 * What this browser can do, found by looking for the API itself, never by its user agent:
 * iOS and Android browsers have no getDisplayMedia (no screen sharing), Safari before 18.4 has
 * no setSinkId (no speaker choice), and the Web Share API is mostly on phones. Read at the
 * moment of use, so a page (or a test) that removes an API is believed.
 */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Whether a media element can be told which speaker (audio output) to play through. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && typeof (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId === 'function';
}

/** The system share sheet (Web Share API): the link goes straight into a chat app. */
export function canShareLink(): boolean {
  return typeof navigator.share === 'function';
}
