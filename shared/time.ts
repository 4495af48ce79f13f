// Timestamps are integer microseconds since the Unix epoch everywhere in Frameline.

/** Formats epoch microseconds as ISO-8601 UTC with six fractional digits. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // 2026-11-22T01:53:53.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Parses an ISO-8601 timestamp (with up to microsecond precision) into epoch microseconds. */
export function parseMicros(iso: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!match) throw new Error(`"${iso}" is not an ISO-8601 timestamp such as 2026-11-22T01:53:53.123456Z`);
  const [, base, frac = '', zone] = match;
  const seconds = Date.parse(`${base}${zone}`);
  const [y, m, d] = base!.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date.parse rolls impossible days over (February 30th becomes March 2nd): refuse them instead.
  if (Number.isNaN(seconds) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) {
    throw new Error(`"${iso}" is not a valid date`);
  }
  return seconds * 1000 + Number(frac.padEnd(6, '0'));
}

/** An ISO-8601 time with a zone, seconds optional (`2026-11-22T01:53Z`), as epoch microseconds. */
export function instantMicros(iso: string): number {
  const withSeconds = /T\d\d:\d\d(Z|[+-]\d\d:\d\d)$/.test(iso) ? iso.replace(/(T\d\d:\d\d)/, '$1:00') : iso;
  return parseMicros(withSeconds);
}
