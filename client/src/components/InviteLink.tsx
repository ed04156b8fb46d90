import { createSignal, type JSX } from 'solid-js';
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

/** The invite link in a read-only field with a Copy link button and visible feedback. */
export function InviteLink(props: { url: string; buttonLabel?: string; fieldLabel?: string }): JSX.Element {
  const [copied, setCopied] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let input: HTMLInputElement | undefined;
  const copy = async () => {
    setCopied((await copyText(props.url, input)) ? 'copied' : 'failed');
    setTimeout(() => setCopied('idle'), 2500);
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
      </div>
      <p class="invite-status" role="status">
        {copied() === 'copied' ? 'Link copied — paste it to anyone you want in the room.' : ''}
        {copied() === 'failed' ? 'Could not copy: select the link and copy it yourself.' : ''}
      </p>
    </div>
  );
}
