// A collapsible view of a parsed JSON payload. Every key and value is rendered as text by React:
// payloads are data, never markup.
import { createContext, useContext, useState, type CSSProperties } from 'react';
import { Marked } from './highlight';

/** The nodes a JSONPath search found (paths as `pathKey` writes them): marked, and opened down to. */
export const JsonMarksContext = createContext<ReadonlySet<string>>(new Set());

/** How a node's path is named among the marks: its names and indexes from the root. */
export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

/** True when a mark lies at or under the node at `path`. */
function leadsToMark(marks: ReadonlySet<string>, path: readonly (string | number)[]): boolean {
  if (marks.size === 0) return false;
  const prefix = pathKey(path).slice(0, -1);
  for (const m of marks) if (m.startsWith(prefix)) return true;
  return false;
}

/** Children shown per "show more" step, so a 100,000-element array does not stall the window. */
const CHUNK = 200;

export function JsonTree({ value, expandDepth = 3 }: { value: unknown; expandDepth?: number }) {
  return (
    <div className="json-tree" role="tree" aria-label="JSON payload">
      <JsonNode name={null} value={value} depth={0} expandDepth={expandDepth} last path={[]} />
    </div>
  );
}

interface NodeProps {
  name: string | number | null;
  value: unknown;
  depth: number;
  expandDepth: number;
  last: boolean;
  path: readonly (string | number)[];
}

function JsonKey({ name, marked }: { name: string | number | null; marked: boolean }) {
  if (name === null) return null;
  const text = typeof name === 'number' ? name : JSON.stringify(name);
  return (
    <>
      <span className={typeof name === 'number' ? 'json-index' : 'json-key'}>
        {marked ? <mark>{text}</mark> : text}
      </span>
      <span className="json-punct">: </span>
    </>
  );
}

function JsonScalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return (
        <span className="json-string">
          <Marked text={JSON.stringify(value)} />
        </span>
      );
    case 'number':
      return <span className="json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="json-bool">{String(value)}</span>;
    default:
      return <span className="json-null">{String(value)}</span>;
  }
}

function JsonNode({ name, value, depth, expandDepth, last, path }: NodeProps) {
  const marks = useContext(JsonMarksContext);
  const marked = marks.has(pathKey(path));
  const [open, setOpen] = useState(depth < expandDepth || leadsToMark(marks, path));
  const lineClass = marked ? 'json-line is-match' : 'json-line';
  const [shown, setShown] = useState(CHUNK);
  const indent = { '--depth': depth } as CSSProperties;
  const comma = last ? null : <span className="json-punct">,</span>;

  if (value === null || typeof value !== 'object') {
    return (
      <div role="treeitem" className={lineClass} style={indent}>
        <span className="json-toggle-spacer" />
        <JsonKey name={name} marked={marked} />
        <JsonScalar value={value} />
        {comma}
      </div>
    );
  }

  const isArray = Array.isArray(value);
  const entries: Array<[string | number, unknown]> = isArray
    ? (value as unknown[]).map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  const [openMark, closeMark] = isArray ? ['[', ']'] : ['{', '}'];
  const summary = isArray
    ? `${entries.length} ${entries.length === 1 ? 'item' : 'items'}`
    : `${entries.length} ${entries.length === 1 ? 'key' : 'keys'}`;

  if (entries.length === 0) {
    return (
      <div role="treeitem" className={lineClass} style={indent}>
        <span className="json-toggle-spacer" />
        <JsonKey name={name} marked={marked} />
        <span className="json-punct">
          {openMark}
          {closeMark}
        </span>
        {comma}
      </div>
    );
  }

  return (
    <div role="treeitem" aria-expanded={open} className="json-node">
      <div className={lineClass} style={indent}>
        <button
          type="button"
          className="json-toggle"
          aria-label={open ? 'Collapse' : 'Expand'}
          onClick={() => setOpen(!open)}
        >
          {open ? '▾' : '▸'}
        </button>
        <JsonKey name={name} marked={marked} />
        <span className="json-punct">{openMark}</span>
        {open ? null : (
          <button type="button" className="json-summary" onClick={() => setOpen(true)}>
            … {summary}
          </button>
        )}
        {open ? null : (
          <>
            <span className="json-punct">{closeMark}</span>
            {comma}
          </>
        )}
      </div>
      {open ? (
        <>
          <div role="group">
            {entries.slice(0, shown).map(([k, v], i) => (
              <JsonNode
                key={k}
                name={isArray ? k : String(k)}
                value={v}
                depth={depth + 1}
                expandDepth={expandDepth}
                last={i === entries.length - 1}
                path={[...path, k]}
              />
            ))}
            {entries.length > shown ? (
              <div className="json-line" style={{ '--depth': depth + 1 } as CSSProperties}>
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => setShown(shown + CHUNK)}
                >
                  Show {Math.min(CHUNK, entries.length - shown)} more of {entries.length - shown} hidden
                </button>
              </div>
            ) : null}
          </div>
          <div className="json-line" style={indent}>
            <span className="json-toggle-spacer" />
            <span className="json-punct">{closeMark}</span>
            {comma}
          </div>
        </>
      ) : null}
    </div>
  );
}
