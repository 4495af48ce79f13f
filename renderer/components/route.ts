// Where the console is, in the address after the # (`#/sessions/12`, `#/incidents/3/walks/5`), so
// that a reload, a link in a result, or the URL of a restarted `frameline serve` comes back to it.
// Links are plain anchors: following one is a step in the browser's history, Back returns.
import { useSyncExternalStore } from 'react';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The hash, re-rendering when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => location.hash);
}

/** Goes to `hash`: a new history entry, or in place of the current one. */
export function go(hash: string, options: { replace?: boolean } = {}): void {
  if (location.hash === hash) return;
  if (options.replace) {
    history.replaceState(null, '', hash);
    // replaceState fires no event; tell the listeners ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = hash;
}

/** The address of a session. */
export function sessionHref(id: number): string {
  return `#/sessions/${id}`;
}

/** The address of two sessions compared, before and after a fix. */
export function compareHref(before: number, after: number): string {
  return `#/sessions/compare/${before}/${after}`;
}

/** The address of an incident, or of one of its walks. */
export function incidentHref(id: number, walkId?: number | null): string {
  return `#/incidents/${id}${walkId ? `/walks/${walkId}` : ''}`;
}
