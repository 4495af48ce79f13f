// The filter bar's state and how it becomes the engine's FrameFilter.
import type { Opcode } from '../../../shared/contract';
import { compileGrep, jsonPathMark, parseJsonPath } from '../../../shared/payload-query';
import { parseMicros } from '../../../shared/time';
import { shiftedMs, unshiftedMs } from '../../components/time-zone';
import type { ApiFrameFilter } from './frame-pages';

/** The opcodes offered as checkboxes; `continuation` is reserved (ws hands over whole messages). */
export const FILTER_OPCODES: readonly Opcode[] = ['text', 'binary', 'ping', 'pong', 'close'];

/** How the search field reads what is typed: words (the full-text index), a regular expression, or a JSONPath condition. */
export type SearchMode = 'words' | 'regex' | 'jsonpath';

export interface FilterState {
  text: string;
  mode: SearchMode;
  direction: 'all' | 'in' | 'out';
  opcodes: readonly Opcode[];
  from: string;
  to: string;
  /** Only this connection's frames (its id); null: every connection. */
  connection: number | null;
  /** Decoded messages: type, event, topic or method words (shared/protocols/message-filter.ts). */
  message: string;
}

export const EMPTY_FILTER: FilterState = {
  text: '',
  mode: 'words',
  direction: 'all',
  opcodes: FILTER_OPCODES,
  from: '',
  to: '',
  connection: null,
  message: '',
};

/**
 * Reads a time bound: "+2.5" or "2.5s" (seconds after the first frame), "02:07:42.5" (UTC time of
 * day on the first frame's date) or a full ISO timestamp. Returns epoch microseconds.
 */
export function parseTimeBound(input: string, firstTs: number | null): number {
  const s = input.trim();
  const relative = /^\+?(\d+(?:\.\d+)?)\s*(s|ms)?$/.exec(s);
  if (relative && (s.startsWith('+') || relative[2])) {
    if (firstTs === null) throw new Error('relative times need at least one frame');
    const n = Number(relative[1]);
    return firstTs + Math.round(relative[2] === 'ms' ? n * 1000 : n * 1e6);
  }
  const timeOfDay = /^(\d{1,2}):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?$/.exec(s);
  if (timeOfDay) {
    if (firstTs === null) throw new Error('a time of day needs at least one frame to take the date from');
    // A time of day on the first frame's date, read in the zone the console shows (UTC or local).
    const date = new Date(shiftedMs(Math.floor(firstTs / 1000))).toISOString().slice(0, 10);
    const [, h, m, sec = '00', frac] = timeOfDay;
    const wall = parseMicros(`${date}T${h!.padStart(2, '0')}:${m}:${sec}${frac ? `.${frac}` : ''}Z`);
    const wallMs = Math.floor(wall / 1000);
    return unshiftedMs(wallMs) * 1000 + (wall - wallMs * 1000);
  }
  if (/^\d{4}-\d\d-\d\dT/.test(s))
    return parseMicros(s.endsWith('Z') || /[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
  throw new Error(
    `"${s}" is not a time; use +2.5 (seconds after the first frame), 02:07:42 (a time of day) or an ISO timestamp`,
  );
}

/** The engine's filter, or an error for a bound that does not parse. */
export function toApiFilter(
  f: FilterState,
  firstTs: number | null,
): { filter: ApiFrameFilter; error: string | null } {
  const filter: ApiFrameFilter = {};
  let error: string | null = null;
  const typed = f.text.trim();
  if (typed && f.mode === 'words') filter.text = typed;
  else if (typed) {
    // Checked here first, so that what does not parse says so under the bar, in one line.
    try {
      if (f.mode === 'regex') compileGrep(typed);
      else parseJsonPath(typed);
      if (f.mode === 'regex') filter.grep = typed;
      else filter.where = typed;
    } catch (err) {
      error = (err as Error).message;
    }
  }
  if (f.direction !== 'all') filter.direction = f.direction;
  if (f.opcodes.length < FILTER_OPCODES.length) filter.opcodes = [...f.opcodes];
  if (f.connection !== null) filter.connection = f.connection;
  if (f.message.trim()) filter.message = f.message.trim();
  try {
    if (f.from.trim()) filter.fromTs = parseTimeBound(f.from, firstTs);
  } catch (err) {
    error ??= `From: ${(err as Error).message}`;
  }
  try {
    if (f.to.trim()) filter.toTs = parseTimeBound(f.to, firstTs);
  } catch (err) {
    error ??= `To: ${(err as Error).message}`;
  }
  return { filter, error };
}

/** True when the filter lets every frame through. */
export function isEmpty(filter: ApiFrameFilter): boolean {
  return Object.keys(filter).length === 0;
}

/** What marks a filter's matches in the payloads shown: the search's words, its pattern, or where its JSONPath points. */
export function matchPattern(filter: ApiFrameFilter): RegExp | null {
  if (filter.grep) return compileGrep(filter.grep);
  if (filter.where) return jsonPathMark(parseJsonPath(filter.where));
  return null;
}
