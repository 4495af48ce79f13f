// A JSON message as indented lines, each with the path it shows, so that a diff can mark the lines
// of the paths that changed (and everything inside them).
import { childPath, parseJson } from '../../../shared/replay/diff';

export interface JsonLine {
  text: string;
  depth: number;
  path: string;
  changed: boolean;
}

function isChanged(path: string, changed: ReadonlySet<string>): boolean {
  for (const p of changed)
    if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) return true;
  return false;
}

/** The lines of a message: pretty JSON when it parses, else the text as one line per line. */
export function jsonLines(text: string | null, changedPaths: readonly string[]): JsonLine[] {
  if (text === null) return [];
  const changed = new Set(changedPaths);
  const value = parseJson(text);
  if (value === undefined || value === null || typeof value !== 'object')
    return text.split('\n').map((t) => ({ text: t, depth: 0, path: '$', changed: changed.has('$') }));
  const out: JsonLine[] = [];
  const walk = (v: unknown, path: string, depth: number, prefix: string, comma: string) => {
    const mark = isChanged(path, changed);
    if (v !== null && typeof v === 'object') {
      const isArray = Array.isArray(v);
      const entries: Array<[string | number, unknown]> = isArray
        ? (v as unknown[]).map((x, i) => [i, x])
        : Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) {
        out.push({ text: `${prefix}${isArray ? '[]' : '{}'}${comma}`, depth, path, changed: mark });
        return;
      }
      out.push({ text: `${prefix}${isArray ? '[' : '{'}`, depth, path, changed: mark });
      entries.forEach(([k, x], i) =>
        walk(
          x,
          childPath(path, k),
          depth + 1,
          isArray ? '' : `${JSON.stringify(k)}: `,
          i < entries.length - 1 ? ',' : '',
        ),
      );
      out.push({ text: `${isArray ? ']' : '}'}${comma}`, depth, path, changed: mark });
      return;
    }
    out.push({ text: `${prefix}${JSON.stringify(v)}${comma}`, depth, path, changed: mark });
  };
  walk(value, '$', 0, '', '');
  return out;
}
