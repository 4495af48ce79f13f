// Number and time formatting shared by every screen. Timestamps are epoch microseconds (shared/time.ts).
import { shiftedMs, zonedIso, zoneWord } from './time-zone';

export { formatCount, plural } from '../../shared/words';

/** Bytes in binary units with one decimal above 1 KiB: "512 B", "12.3 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  // Round first, then pick the unit: 1,048,575 bytes is "1.0 MiB", not "1024 KiB".
  const shown = (v: number) => Number(v >= 100 ? v.toFixed(0) : v.toFixed(1));
  while (shown(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 99.95 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** A duration in milliseconds, precise when short: "0.42 ms", "12.3 ms", "4.20 s", "3 min 12 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  // Whole seconds first, so that 119.6 s reads "2 min 0 s", not "1 min 60 s".
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Time of day with microseconds, as the command line prints it: "02:07:42.592108" (UTC or local). */
export function formatTimeOfDay(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(shiftedMs(ms)).toISOString();
  return `${iso.slice(11, 23)}${String(Math.round(micros)).padStart(3, '0')}`;
}

/** Microseconds since a reference, in seconds with microsecond precision: "+12.345678". */
export function formatRelative(us: number, fromUs: number): string {
  const delta = us - fromUs;
  const sign = delta < 0 ? '−' : '+';
  return `${sign}${(Math.abs(delta) / 1e6).toFixed(6)}`;
}

/** An ISO timestamp as a short date and time with its zone: "2026-11-22 02:07:42 UTC". */
export function formatIsoShort(iso: string): string {
  const t = zonedIso(iso);
  return `${t.slice(0, 10)} ${t.slice(11, 19)} ${zoneWord()}`;
}

/** A rate: "0/s", "12/s", "12.3k/s". */
export function formatRate(perSecond: number): string {
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  if (perSecond < 1_000_000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${(perSecond / 1_000_000).toFixed(2)}M/s`;
}
