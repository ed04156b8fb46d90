/**
 * The call's keyboard shortcuts: M microphone, V camera, hold Space to talk while muted, ?
 * for the list. None fires while typing (chat, name, any field), with Ctrl/Alt/Meta held (the
 * browser's own shortcuts), or — for Space — while a button or link has focus, where Space
 * presses it (keyboard users rely on that).
 */
export interface ShortcutActions {
  toggleMic(): void;
  toggleCam(): void;
  micOn(): boolean;
  /** Push-to-talk: the microphone on while Space is held, off again on release. */
  holdToTalk(talking: boolean): void;
  toggleHelp(): void;
}

export const SHORTCUTS = [
  { keys: ['M'], what: 'keys.mic' },
  { keys: ['V'], what: 'keys.cam' },
  { keys: ['keys.space'], what: 'keys.talk' },
  { keys: ['?'], what: 'keys.help' },
] as const;

/** Typing somewhere: a text field, a select, anything editable. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

/** Space already means "press this" here. */
const spaceActivates = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.closest('button, a[href], [role="button"], summary, input, select, textarea') !== null);

/** Listens on `target` (the window); returns the function that stops listening. */
export function installShortcuts(actions: ShortcutActions, target: Window = window): () => void {
  let talking = false;
  const release = () => {
    if (!talking) return;
    talking = false;
    actions.holdToTalk(false);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    if (e.code === 'Space' || e.key === ' ') {
      if (spaceActivates(e.target)) return;
      e.preventDefault(); // no page scroll
      if (e.repeat || talking || actions.micOn()) return;
      talking = true;
      actions.holdToTalk(true);
      return;
    }
    if (e.repeat) return;
    // The letter typed (any Latin layout: AZERTY's M is M); on a non-Latin layout, the key's place.
    const key = /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() : e.code.startsWith('Key') ? e.code.slice(3).toLowerCase() : '';
    if (key === 'm') actions.toggleMic();
    else if (key === 'v') actions.toggleCam();
    else if (e.key === '?') actions.toggleHelp();
    else return;
    e.preventDefault();
  };
  const onKeyUp = (e: KeyboardEvent) => {
    if (e.code === 'Space' || e.key === ' ') release();
  };
  // Focus leaving the page mid-hold (alt-tab) would leave the microphone open.
  const onBlur = () => release();
  target.addEventListener('keydown', onKeyDown);
  target.addEventListener('keyup', onKeyUp);
  target.addEventListener('blur', onBlur);
  return () => {
    release();
    target.removeEventListener('keydown', onKeyDown);
    target.removeEventListener('keyup', onKeyUp);
    target.removeEventListener('blur', onBlur);
  };
}
