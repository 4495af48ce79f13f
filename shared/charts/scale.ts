// Scales and ticks for the console's charts and the incident report's. Times are epoch microseconds
// and shown in UTC, like the command line prints them, so that what is on screen matches server
// logs and `frameline show`.

/** A linear map from a domain onto pixels. */
export interface Scale {
  (value: number): number;
  invert(px: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const k = (r1 - r0) / span;
  const scale = ((v: number) => r0 + (v - d0) * k) as Scale;
  scale.invert = (px: number) => d0 + (px - r0) / k;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

const US = 1;
const MS = 1000 * US;
const S = 1000 * MS;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

/** Tick steps a clock reader expects: 1-2-5 below a second, then 5 s, 15 s, 1 min, 15 min, 1 h, 6 h… */
const TIME_STEPS = [
  1 * US,
  2 * US,
  5 * US,
  10 * US,
  20 * US,
  50 * US,
  100 * US,
  200 * US,
  500 * US,
  1 * MS,
  2 * MS,
  5 * MS,
  10 * MS,
  20 * MS,
  50 * MS,
  100 * MS,
  200 * MS,
  500 * MS,
  1 * S,
  2 * S,
  5 * S,
  10 * S,
  15 * S,
  30 * S,
  1 * MIN,
  2 * MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  1 * H,
  2 * H,
  3 * H,
  6 * H,
  12 * H,
  1 * DAY,
  2 * DAY,
  7 * DAY,
];

/** Round UTC instants across a time domain, at most about `count` of them, and the step between them. */
export function timeTicks(from: number, to: number, count: number): { ticks: number[]; step: number } {
  const span = Math.max(1, to - from);
  const step = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return { ticks, step };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A clock reading precise enough for ticks `step` apart: `02:07`, `02:07:42`, `02:07:42.596`. In
 * UTC, unless `shift` moves epoch milliseconds to another zone's wall clock (the console's choice).
 */
export function clockLabel(us: number, step: number, shift: (ms: number) => number = (ms) => ms): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(shift(ms));
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  // Ticks a day or more apart all fall at midnight: name the day instead.
  if (step >= DAY) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (step >= MIN && step % MIN === 0) return hm;
  const hms = `${hm}:${pad(d.getUTCSeconds())}`;
  if (step >= S) return hms;
  if (step >= MS) return `${hms}.${pad(d.getUTCMilliseconds(), 3)}`;
  return `${hms}.${pad(d.getUTCMilliseconds(), 3)}${pad(Math.floor(us - ms * 1000), 3)}`;
}

/** A full UTC clock reading with microseconds, as in the frame list: `02:07:42.595683`. */
export function clockMicros(us: number): string {
  return clockLabel(us, 1);
}

/** A duration for people: `840 µs`, `12.4 ms`, `3.20 s`, `4 min 12 s`, `2 h 05 min`. */
export function formatDuration(us: number): string {
  if (us < 0) us = 0;
  if (us < MS) return `${Math.round(us)} µs`;
  if (us < S) return `${(us / MS).toFixed(us < 10 * MS ? 2 : 1).replace(/\.?0+$/, '')} ms`;
  if (us < MIN) return `${(us / S).toFixed(us < 10 * S ? 2 : 1)} s`;
  if (us < H) return `${Math.floor(us / MIN)} min ${pad(Math.floor((us % MIN) / S))} s`;
  if (us < DAY) return `${Math.floor(us / H)} h ${pad(Math.floor((us % H) / MIN))} min`;
  return `${Math.floor(us / DAY)} d ${Math.floor((us % DAY) / H)} h`;
}

/** A time since the start of a chart: `+0 s`, `+1.5 s`, `+12 ms`. */
export function formatOffset(us: number): string {
  return `+${formatDuration(us)}`;
}

/** At most about `count` round values from 0 to `max`, for a count axis. */
export function countTicks(max: number, count: number): number[] {
  if (max <= 0) return [0];
  const raw = max / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  // The last tick is the first round value at or above the maximum, so that the data fits under it.
  for (let v = 0; v < max + step * (1 - 1e-9); v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A compact count: `950`, `1.2k`, `34k`, `1.5M`. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(abs < 10 ? 1 : 0);
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 1 : 0).replace(/\.0$/, '')}k`;
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 1 : 0).replace(/\.0$/, '')}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}
