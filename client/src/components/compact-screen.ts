import { createSignal, onCleanup, type Accessor } from 'solid-js';

/**
 * Phone-sized: a narrow window (a phone held upright, down to 360 px) or a short one (a phone
 * turned sideways). The same query drives the CSS (class "compact" on the room).
 */
export const COMPACT_SCREEN_QUERY = '(max-width: 640px), (max-height: 480px)';

/** Whether the window is phone-sized now; follows rotation and resizing. */
export function createCompactScreen(): Accessor<boolean> {
  const query = matchMedia(COMPACT_SCREEN_QUERY);
  const [compact, setCompact] = createSignal(query.matches);
  const update = () => setCompact(query.matches);
  query.addEventListener('change', update);
  onCleanup(() => query.removeEventListener('change', update));
  return compact;
}
