// The little Markdown a runbook's text uses — paragraphs, lists, `code`, **bold**, *emphasis* and
// [links](…) — turned into React elements. Runbook files can be imported from anywhere, so nothing
// is ever parsed as HTML, and links are shown as their text and address, not followed.
import type { ReactNode } from 'react';

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_|\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    const key = i++;
    if (t.startsWith('`')) out.push(<code key={key}>{t.slice(1, -1)}</code>);
    else if (t.startsWith('**') || t.startsWith('__')) out.push(<strong key={key}>{t.slice(2, -2)}</strong>);
    else if (t.startsWith('[')) {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(t)!;
      out.push(
        <span key={key} className="md-link" title={link[2]}>
          {link[1]}
        </span>,
      );
    } else out.push(<em key={key}>{t.slice(1, -1)}</em>);
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Renders runbook Markdown as paragraphs and lists. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const blocks = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  if (blocks.length === 0) return null;
  return (
    <div className={`markdown${className ? ` ${className}` : ''}`}>
      {blocks.map((block, i) => {
        const lines = block.split('\n');
        if (lines.every((l) => /^\s*(?:[-*+]|\d+[.)])\s+/.test(l))) {
          const ordered = /^\s*\d/.test(lines[0]!);
          const items = lines.map((l, j) => (
            <li key={j}>{inline(l.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ''))}</li>
          ));
          return ordered ? <ol key={i}>{items}</ol> : <ul key={i}>{items}</ul>;
        }
        if (block.startsWith('```')) {
          return (
            <pre key={i} className="md-code">
              {lines.slice(1, lines[lines.length - 1]?.startsWith('```') ? -1 : undefined).join('\n')}
            </pre>
          );
        }
        return <p key={i}>{inline(lines.join(' '))}</p>;
      })}
    </div>
  );
}
