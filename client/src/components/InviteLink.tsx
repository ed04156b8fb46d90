import { createSignal, Show, type JSX } from 'solid-js';
import { canShareLink } from '../media/browser-features';
import { Icon } from './icons';

async function copyText(text: string, fallbackInput: HTMLInputElement | undefined): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context and permission: select the text instead.
    fallbackInput?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

/**
 * The invite link in a read-only field with a Copy link button and visible feedback; where the
 * browser has a share sheet (phones, mostly), a Share link button beside it, so the link goes
 * straight into a chat app. `shareable: false` for a link to keep to yourself (the host link).
 */
export function InviteLink(props: { url: string; buttonLabel?: string; fieldLabel?: string; shareable?: boolean }): JSX.Element {
  const [copied, setCopied] = createSignal<'idle' | 'copied' | 'failed' | 'share-failed'>('idle');
  let input: HTMLInputElement | undefined;
  const copy = async () => {
    setCopied((await copyText(props.url, input)) ? 'copied' : 'failed');
    setTimeout(() => setCopied('idle'), 2500);
  };
  const share = async () => {
    try {
      await navigator.share({ title: 'Join my Confab room', url: props.url });
    } catch (err) {
      // Closing the share sheet is a choice, not an error.
      if ((err as Error).name !== 'AbortError') setCopied('share-failed');
    }
  };
  return (
    <div class="invite">
      <span class="invite-label" aria-hidden="true">
        {props.fieldLabel ?? 'Invite link'}
      </span>
      <div class="invite-row">
        <input
          aria-label={props.fieldLabel ?? 'Invite link'}
          class="invite-url"
          readonly
          value={props.url}
          ref={input}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button class="btn btn-secondary" onClick={copy}>
          <Icon name="copy" size={18} />
          {props.buttonLabel ?? 'Copy link'}
        </button>
        <Show when={(props.shareable ?? true) && canShareLink()}>
          <button class="btn btn-secondary" onClick={share}>
            <Icon name="share" size={18} />
            Share link
          </button>
        </Show>
      </div>
      <p class="invite-status" role="status">
        {copied() === 'copied' ? 'Link copied — paste it to anyone you want in the room.' : ''}
        {copied() === 'failed' ? 'Could not copy: select the link and copy it yourself.' : ''}
        {copied() === 'share-failed' ? 'Could not open sharing: copy the link instead.' : ''}
      </p>
    </div>
  );
}
