/** A finger must travel this far sideways for a swipe (shorter is a tap or a wobble). */
export const SWIPE_MIN_PX = 50;
/** …and mostly sideways: an upward drag that drifts is a scroll, not a page turn. */
const SIDEWAYS_RATIO = 1.5;

/** Which way a finger's travel turns the page: +1 next (swiped left), -1 previous, 0 neither. */
export function swipeStep(dxPx: number, dyPx: number): -1 | 0 | 1 {
  if (Math.abs(dxPx) < SWIPE_MIN_PX || Math.abs(dxPx) < SIDEWAYS_RATIO * Math.abs(dyPx)) return 0;
  return dxPx < 0 ? 1 : -1;
}

/**
 * Calls `onStep` when one finger swipes sideways across `el` (touch events: Safari on iOS has
 * them, and pointer events of a swipe get cancelled once the browser starts a pan). Returns
 * the function that stops listening.
 */
export function onSwipe(el: HTMLElement, onStep: (step: -1 | 1) => void): () => void {
  let start: { x: number; y: number } | null = null;
  const down = (e: TouchEvent) => {
    const t = e.touches[0];
    start = e.touches.length === 1 && t ? { x: t.clientX, y: t.clientY } : null;
  };
  const up = (e: TouchEvent) => {
    const t = e.changedTouches[0];
    if (!start || !t) return;
    const step = swipeStep(t.clientX - start.x, t.clientY - start.y);
    start = null;
    if (step !== 0) onStep(step);
  };
  const cancel = () => (start = null);
  el.addEventListener('touchstart', down, { passive: true });
  el.addEventListener('touchend', up, { passive: true });
  el.addEventListener('touchcancel', cancel, { passive: true });
  return () => {
    el.removeEventListener('touchstart', down);
    el.removeEventListener('touchend', up);
    el.removeEventListener('touchcancel', cancel);
  };
}
