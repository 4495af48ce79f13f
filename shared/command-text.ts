// A shell command as a person is shown it before it runs (the desktop's native dialog, the terminal
// of `frameline serve`, `frameline runbooks trust`): what is shown must be what runs. Characters that
// are invisible or change how the text reads — controls (C0, DEL, C1, a carriage return that
// overwrites a line), bidi overrides and isolates, zero-width and other format characters, spaces
// that are not a space, line separators — are shown escaped as ⟦U+XXXX⟧; long lines are wrapped with
// a mark that the command cannot fake; and what does not fit is cut off with a count, never dropped
// silently.

/** Starts every line that continues the one above it, so wrapping never reads as a new command. */
export const CONTINUATION = '↳ ';

/** Characters shown as ⟦U+XXXX⟧ (a line break is shown as one; everything else printable as is). */
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}⟦⟧↳]|(?! )\p{Zs}/gu;

/** How an escaped character is written by default: ⟦U+XXXX⟧. */
const marked = (c: string) => `⟦U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟧`;

/**
 * `text` with every invisible or reading-changing character (but the line break, and those in
 * `keep`) written by `as`: ⟦U+XXXX⟧ unless told otherwise.
 */
export function escapeInvisible(
  text: string,
  options: { keep?: string; as?: (c: string) => string } = {},
): { text: string; escaped: number } {
  const keep = `\n${options.keep ?? ''}`;
  const as = options.as ?? marked;
  let escaped = 0;
  const out = text.replace(INVISIBLE, (c) => {
    if (keep.includes(c)) return c;
    escaped++;
    return as(c);
  });
  return { text: out, escaped };
}

/** Where a line of `chars` may be cut at or before `room` without splitting a ⟦U+XXXX⟧. */
function cutAt(chars: string[], room: number): number {
  const space = chars.lastIndexOf(' ', room - 1);
  let cut = space + 1 > room / 2 ? space + 1 : room;
  const open = chars.lastIndexOf('⟦', cut - 1);
  if (open > 0 && chars.indexOf('⟧', open) >= cut) cut = open;
  return cut;
}

/** The (escaped) command's lines, each longer one broken at a space before `width` (or at `width`). */
export function wrapLines(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = Array.from(line);
    let first = true;
    for (;;) {
      const room = first ? width : width - CONTINUATION.length;
      if (rest.length <= room) break;
      const cut = cutAt(rest, room);
      out.push(`${first ? '' : CONTINUATION}${rest.slice(0, cut).join('')}`);
      rest = rest.slice(cut);
      first = false;
    }
    out.push(`${first ? '' : CONTINUATION}${rest.join('')}`);
  }
  return out;
}

/** A command laid out to be read: its lines, and what of it was left out or escaped. */
export interface ShownCommand {
  /** At most `maxLines` lines of at most `width` characters. */
  lines: string[];
  /** Some line was wrapped (lines starting with CONTINUATION continue the one above). */
  wrapped: boolean;
  /** Characters shown as ⟦U+XXXX⟧. */
  escaped: number;
  /** What did not fit: lines (as laid out) and characters of the command; null when all of it shows. */
  hidden: { lines: number; characters: number } | null;
  /** Characters of the command in all. */
  characters: number;
}

/** Lays `command` out in at most `maxLines` lines of `width` characters, escaped. */
export function showCommand(command: string, options: { width: number; maxLines: number }): ShownCommand {
  const { text, escaped } = escapeInvisible(command);
  const all = wrapLines(text, options.width);
  const lines = all.slice(0, options.maxLines);
  const characters = Array.from(command).length;
  let hidden: ShownCommand['hidden'] = null;
  if (all.length > lines.length) {
    // Characters of the escaped text shown, mapped back to the command's: escapes count as one.
    const shownText = lines.map((l) => (l.startsWith(CONTINUATION) ? l.slice(CONTINUATION.length) : l));
    const shownChars = shownText.reduce(
      (n, l) => n + Array.from(l.replace(/⟦U\+[0-9A-F]{4,6}⟧/g, '.')).length,
      0,
    );
    // Line breaks between shown lines that were the command's own.
    const breaks = lines.filter((l, i) => i > 0 && !l.startsWith(CONTINUATION)).length;
    hidden = { lines: all.length - lines.length, characters: Math.max(1, characters - shownChars - breaks) };
  }
  return { lines, wrapped: all.some((l) => l.startsWith(CONTINUATION)), escaped, hidden, characters };
}

/** One sentence saying what the escapes mean, for a command that has some. */
export const ESCAPE_NOTE =
  '⟦U+XXXX⟧ stands for one character that is invisible or changes how the text reads (a control, a bidi override, a zero-width or an unusual space); the command holds that character there.';
