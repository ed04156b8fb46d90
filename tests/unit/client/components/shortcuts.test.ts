import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installShortcuts, type ShortcutActions } from '../../../../client/src/components/shortcuts';

/** Just enough of the DOM: elements with a tag, a type, and closest(). */
class FakeElement {
  isContentEditable = false;
  constructor(
    readonly tagName: string,
    readonly type = '',
  ) {}
  closest(selector: string): FakeElement | null {
    const interactive = ['BUTTON', 'A', 'SUMMARY', 'INPUT', 'SELECT', 'TEXTAREA'];
    return selector.includes('button') && interactive.includes(this.tagName) ? this : null;
  }
}

function harness() {
  const handlers = new Map<string, (e: unknown) => void>();
  const target = { addEventListener: (type: string, fn: (e: unknown) => void) => handlers.set(type, fn), removeEventListener: (type: string) => handlers.delete(type) };
  const log: string[] = [];
  let mic = false;
  const actions: ShortcutActions = {
    toggleMic: () => {
      mic = !mic;
      log.push('mic');
    },
    toggleCam: () => log.push('cam'),
    micOn: () => mic,
    holdToTalk: (on) => {
      mic = on;
      log.push(on ? 'talk' : 'stop');
    },
    toggleHelp: () => log.push('help'),
  };
  const stop = installShortcuts(actions, target as unknown as Window);
  const key = (type: 'keydown' | 'keyup', k: string, opts: { target?: FakeElement; repeat?: boolean; ctrlKey?: boolean; code?: string } = {}) => {
    let prevented = false;
    handlers.get(type)?.({ key: k, code: opts.code ?? (k === ' ' ? 'Space' : `Key${k.toUpperCase()}`), target: opts.target ?? new FakeElement('MAIN'), repeat: opts.repeat ?? false, ctrlKey: opts.ctrlKey ?? false, metaKey: false, altKey: false, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { key, log, stop, handlers, mic: () => mic };
}

describe('keyboard shortcuts', () => {
  const saved = (globalThis as { HTMLElement?: unknown }).HTMLElement;
  beforeAll(() => void ((globalThis as { HTMLElement?: unknown }).HTMLElement = FakeElement));
  afterAll(() => void ((globalThis as { HTMLElement?: unknown }).HTMLElement = saved));

  it('M, V and ? act once per press (not on key repeat, not with Ctrl)', () => {
    const h = harness();
    expect(h.key('keydown', 'm')).toBe(true);
    h.key('keydown', 'M', { repeat: true });
    h.key('keydown', 'V');
    h.key('keydown', '?');
    h.key('keydown', 'v', { ctrlKey: true });
    h.key('keydown', 'x');
    expect(h.log).toEqual(['mic', 'cam', 'help']);
  });

  it('on a non-Latin layout the keys in M’s and V’s places work (Russian ь and м)', () => {
    const h = harness();
    h.key('keydown', 'ь', { code: 'KeyM' });
    h.key('keydown', 'м', { code: 'KeyV' });
    expect(h.log).toEqual(['mic', 'cam']);
  });

  it('nothing fires while typing in a text field, a textarea, a select or editable text', () => {
    const h = harness();
    const editable = Object.assign(new FakeElement('DIV'), { isContentEditable: true });
    for (const target of [new FakeElement('INPUT', 'text'), new FakeElement('TEXTAREA'), new FakeElement('SELECT'), editable]) {
      h.key('keydown', 'm', { target });
      h.key('keydown', ' ', { target });
      h.key('keydown', '?', { target });
    }
    expect(h.log).toEqual([]);
    // A checkbox is not typing.
    h.key('keydown', 'm', { target: new FakeElement('INPUT', 'checkbox') });
    expect(h.log).toEqual(['mic']);
  });

  it('Space held talks while muted, only until released (repeats ignored); not when already on, not on a focused button', () => {
    const h = harness();
    expect(h.key('keydown', ' ')).toBe(true);
    h.key('keydown', ' ', { repeat: true });
    expect(h.mic()).toBe(true);
    h.key('keyup', ' ');
    expect(h.mic()).toBe(false);
    expect(h.log).toEqual(['talk', 'stop']);
    h.key('keydown', 'm');
    h.key('keydown', ' ');
    h.key('keyup', ' ');
    expect(h.log).toEqual(['talk', 'stop', 'mic']);
    h.key('keydown', 'm');
    expect(h.key('keydown', ' ', { target: new FakeElement('BUTTON') })).toBe(false);
    expect(h.log).toEqual(['talk', 'stop', 'mic', 'mic']);
  });

  it('leaving the window mid-hold closes the microphone again', () => {
    const h = harness();
    h.key('keydown', ' ');
    h.handlers.get('blur')?.({});
    expect(h.mic()).toBe(false);
    expect(h.log).toEqual(['talk', 'stop']);
  });
});
