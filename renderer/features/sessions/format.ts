// Dates and ages of the Sessions screen (counts and bytes: components/format.ts). Times are UTC, as
// the command line prints them.
import { parseMicros } from '../../../shared/time';
import { formatDuration } from '../../../shared/charts/scale';
import { zonedIso } from '../../components/time-zone';

/** `2026-11-22 02:07:42` (UTC, or local time when chosen) */
export function formatDateTime(iso: string): string {
  const t = zonedIso(iso);
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** How long ago, in the words a list wants: `just now`, `4 min ago`, `3 h ago`, `2 d ago`. */
export function formatAge(iso: string, nowMs: number): string {
  const s = Math.max(0, (nowMs * 1000 - parseMicros(iso)) / 1e6);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** How long a session ran, or has been running while live. */
export function sessionDuration(createdAt: string, endedAt: string | null, nowMs: number): string {
  const end = endedAt === null ? nowMs * 1000 : parseMicros(endedAt);
  return formatDuration(end - parseMicros(createdAt));
}
