import { createEffect, createSignal, For, Show, type JSX } from 'solid-js';
import { Notice } from './Notice';
import { formatClock, formatNumber, t } from '../i18n/i18n';
import { ChatTooLongError, MAX_CHAT_CHARS, type ChatMessage } from '../../../crdt/room/room-doc';
import { PanelHeader } from './PanelHeader';


export function ChatPanel(props: {
  messages: ChatMessage[];
  selfId: string;
  /** Over the whole screen (a phone), with a Back button. */
  fullScreen?: boolean;
  onSend(text: string): void;
  onClose(): void;
}): JSX.Element {
  const [draft, setDraft] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  let list: HTMLOListElement | undefined;
  createEffect(() => {
    props.messages.length;
    list?.scrollTo({ top: list.scrollHeight });
  });
  const send = (event: Event) => {
    event.preventDefault();
    const text = draft().trim();
    if (!text) return;
    try {
      props.onSend(text);
      setDraft('');
      setError(null);
    } catch (err) {
      setError(err instanceof ChatTooLongError ? t('chat.tooLong', { max: formatNumber(MAX_CHAT_CHARS) }) : t('chat.notSent'));
    }
  };
  return (
    <aside class="side-panel chat" aria-label={t('chat.title')}>
      <PanelHeader title={t('chat.title')} closeLabel={t('chat.close')} fullScreen={props.fullScreen ?? false} onClose={() => props.onClose()} />
      <ol class="chat-list" ref={list} aria-live="polite">
        <Show when={props.messages.length === 0}>
          <li class="chat-empty">{t('chat.empty')}</li>
        </Show>
        <For each={props.messages}>
          {(m) => (
            <li class="chat-message" classList={{ mine: m.from === props.selfId }}>
              <div class="chat-meta">
                <span class="chat-sender">{m.from === props.selfId ? t('common.you') : m.name}</span>
                <time datetime={new Date(m.sentAt).toISOString()}>{formatClock(m.sentAt)}</time>
              </div>
              <p class="chat-text">{m.text}</p>
            </li>
          )}
        </For>
      </ol>
      <form class="chat-form" onSubmit={send}>
        <input
          aria-label={t('chat.message')}
          placeholder={t('chat.placeholder')}
          value={draft()}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button class="btn btn-primary" type="submit" disabled={!draft().trim()}>
          {t('chat.send')}
        </button>
      </form>
      <Notice message={error()} />
    </aside>
  );
}
