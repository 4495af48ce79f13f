// UTC (like the command line and the server logs) or the local time of this machine: the engineer's
// choice, remembered. Every time of day the console shows goes through `shiftedMs`, so that one
// switch changes them all; the app re-renders its screens when it changes.
import { useSyncExternalStore } from 'react';

export type TimeZoneMode = 'utc' | 'local';
const KEY = 'frameline.timeZone';

function stored(): TimeZoneMode {
  try {
    return localStorage.getItem(KEY) === 'local' ? 'local' : 'utc';
  } catch {
    return 'utc';
  }
}

let mode: TimeZoneMode = stored();
const listeners = new Set<() => void>();

/** The zone times are shown in. */
export function timeZoneMode(): TimeZoneMode {
  return mode;
}

/** Shows times in `next` from now on, and remembers it. */
export function setTimeZoneMode(next: TimeZoneMode): void {
  if (next === mode) return;
  mode = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // storage refused (a private window): the choice holds for this visit
  }
  for (const l of listeners) l();
}

/** The zone mode, re-rendering on change. */
export function useTimeZoneMode(): TimeZoneMode {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, timeZoneMode);
}

/** "UTC" or "local", for labels. */
export function zoneWord(): string {
  return mode === 'utc' ? 'UTC' : 'local';
}

/** Epoch milliseconds moved so that their UTC reading is the chosen zone's wall clock. */
export function shiftedMs(ms: number): number {
  return mode === 'local' ? ms - new Date(ms).getTimezoneOffset() * 60_000 : ms;
}

/** The inverse of shiftedMs: a wall-clock reading in the chosen zone back to epoch milliseconds. */
export function unshiftedMs(wallMs: number): number {
  if (mode === 'utc') return wallMs;
  // The offset of the instant itself, found from the wall clock (exact outside DST changes).
  const guess = wallMs + new Date(wallMs).getTimezoneOffset() * 60_000;
  return wallMs + new Date(guess).getTimezoneOffset() * 60_000;
}

/** An ISO instant as the chosen zone's "YYYY-MM-DDTHH:MM:SS.ffffff" (no zone suffix). */
export function zonedIso(iso: string): string {
  if (mode === 'utc') return iso;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const shifted = new Date(shiftedMs(ms)).toISOString();
  return `${shifted.slice(0, 19)}${frac ? `.${frac}` : ''}`;
}
