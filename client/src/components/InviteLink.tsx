import { createSignal, Show, type JSX } from 'solid-js';
import { t } from '../i18n/i18n';
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
      await navigator.share({ title: t('invite.shareTitle'), url: props.url });
    } catch (err) {
      // Closing the share sheet is a choice, not an error.
      if ((err as Error).name !== 'AbortError') setCopied('share-failed');
    }
  };
  return (
    <div class="invite">
      <span class="invite-label" aria-hidden="true">
        {props.fieldLabel ?? t('invite.field')}
      </span>
      <div class="invite-row">
        <input
          aria-label={props.fieldLabel ?? t('invite.field')}
          class="invite-url"
          readonly
          value={props.url}
          ref={input}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button class="btn btn-secondary" onClick={copy}>
          <Icon name="copy" size={18} />
          {props.buttonLabel ?? t('invite.copy')}
        </button>
        <Show when={(props.shareable ?? true) && canShareLink()}>
          <button class="btn btn-secondary" onClick={share}>
            <Icon name="share" size={18} />
            {t('invite.share')}
          </button>
        </Show>
      </div>
      <p class="invite-status" role="status">
        {copied() === 'copied' ? t('invite.copied') : ''}
        {copied() === 'failed' ? t('invite.copyFailed') : ''}
        {copied() === 'share-failed' ? t('invite.shareFailed') : ''}
      </p>
    </div>
  );
}
