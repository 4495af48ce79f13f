// Work that follows the wire (status pushes, pages of a live list) is done once per painted frame,
// however many messages arrive in between.

/** Runs `flush` once before the next paint. */
export type FrameScheduler = (flush: () => void) => void;

/** How long a flush waits at most when no frame comes (a hidden window paints none). */
const FALLBACK_MS = 250;

/**
 * The next animation frame, or a timer when frames do not come: what is shown must still be
 * current when the window is shown again.
 */
export const nextFrame: FrameScheduler = (flush) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    flush();
  };
  const timer = setTimeout(once, FALLBACK_MS);
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
};

/** `fn`, called at most once per frame however often the returned function is called. */
export function oncePerFrame(fn: () => void, schedule: FrameScheduler = nextFrame): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      fn();
    });
  };
}
