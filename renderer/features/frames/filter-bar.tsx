// The filter bar over a frame list: full-text, regular-expression or JSONPath search, decoded messages (when the session speaks a
// protocol), direction, opcodes and a time range, and the count of what matches. Typing is debounced; the engine caches each filter's result.
import { memo, useEffect, useId, useRef, useState } from 'react';
import type { Opcode } from '../../../shared/contract';
import { formatCount } from '../../components/format';
import { useHotkey } from '../../components/hotkeys';
import { ChevronIcon, SearchIcon } from '../../components/icons';
import { FILTER_OPCODES, type FilterState, type SearchMode } from './frame-filter';

/** The search field's modes: what it reads, its label on the toggle, and what it suggests. */
const SEARCH_MODES: ReadonlyArray<{
  mode: SearchMode;
  label: string;
  name: string;
  placeholder: string;
  title: string;
}> = [
  {
    mode: 'words',
    label: 'Aa',
    name: 'Words',
    placeholder: 'Search payloads  ( / )',
    title: 'Words, "a phrase" or a prefix* in text payloads',
  },
  {
    mode: 'regex',
    label: '.*',
    name: 'Regular expression',
    placeholder: 'error|timeout  or  /fail/i',
    title: 'A regular expression tested on each text payload; /…/i ignores case',
  },
  {
    mode: 'jsonpath',
    label: '$',
    name: 'JSONPath',
    placeholder: '$.type == "error"',
    title:
      'A JSONPath condition on each JSON payload: $.type == "error", $.data.items[0].id, $.error, $.price > 100',
  },
];

/** A connection as the filter offers it. */
export interface ConnectionChoice {
  id: number;
  ordinal: number;
  /** How it ended, in a few words ("1006", "refused", "open"). */
  outcome: string;
}

const DEBOUNCE_MS = 150;

interface Props {
  value: FilterState;
  onChange: (next: FilterState) => void;
  shown: number | null;
  total: number;
  filtered: boolean;
  /** Frames a text search cannot see yet because the index is behind. */
  unindexed: number;
  /** The session's connections: a choice among them when there are several. */
  connections?: readonly ConnectionChoice[] | undefined;
  /** Some connection speaks a protocol: its frames' messages can be filtered on. */
  decoded?: boolean;
}

/** A typed field of the filter: kept as typed, handed on after a pause (or at once with Enter). */
function useTypedField(
  field: 'text' | 'message',
  value: FilterState,
  onChange: (next: FilterState) => void,
): [string, (typed: string) => void] {
  const [typed, setTyped] = useState(value[field]);
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  useEffect(() => {
    if (typed === latest.current[field]) return;
    const timer = setTimeout(() => onChange({ ...latest.current, [field]: typed }), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed, field, onChange]);
  return [typed, setTyped];
}

export const FilterBar = memo(function FilterBar({
  value,
  onChange,
  shown,
  total,
  filtered,
  unindexed,
  connections,
  decoded = false,
}: Props) {
  const search = useRef<HTMLInputElement>(null);
  const [text, setText] = useTypedField('text', value, onChange);
  const [message, setMessage] = useTypedField('message', value, onChange);
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  const [rangeOpen, setRangeOpen] = useState(false);
  const rangeId = useId();

  useHotkey('/', () => {
    search.current?.focus();
    search.current?.select();
  });

  const toggleOpcode = (op: Opcode) => {
    const has = value.opcodes.includes(op);
    const opcodes = has
      ? value.opcodes.filter((o) => o !== op)
      : FILTER_OPCODES.filter((o) => o === op || value.opcodes.includes(o));
    onChange({ ...value, opcodes });
  };
  const commitRange = () => {
    if (from !== value.from || to !== value.to) onChange({ ...value, from, to });
  };

  const mode = SEARCH_MODES.find((m) => m.mode === value.mode) ?? SEARCH_MODES[0]!;

  return (
    <div className="filter-bar" role="search">
      <label className="search-field">
        <SearchIcon />
        <input
          ref={search}
          type="search"
          aria-label="Search frames"
          placeholder={mode.placeholder}
          title={mode.title}
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ ...value, text });
            if (e.key === 'Escape') {
              setText('');
              onChange({ ...value, text: '' });
              e.currentTarget.blur();
              e.stopPropagation();
            }
          }}
        />
        <span className="segmented search-mode" role="group" aria-label="Search mode">
          {SEARCH_MODES.map((m) => (
            <button
              key={m.mode}
              type="button"
              aria-pressed={value.mode === m.mode}
              aria-label={m.name}
              title={m.name}
              className={value.mode === m.mode ? 'is-on' : ''}
              onClick={() => onChange({ ...value, text, mode: m.mode })}
            >
              {m.label}
            </button>
          ))}
        </span>
      </label>
      {decoded || value.message ? (
        <label className="search-field message-field">
          <span className="message-field-mark" aria-hidden="true">
            msg
          </span>
          <input
            type="search"
            aria-label="Filter messages"
            placeholder="type, event, topic"
            title='Words matched against each decoded message: its type (EVENT, PUBLISH, next…) and the event, topic or method it names; * for any characters (sensors/*), "quotes" for a name with spaces'
            value={message}
            spellCheck={false}
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onChange({ ...value, message });
              if (e.key === 'Escape') {
                setMessage('');
                onChange({ ...value, message: '' });
                e.currentTarget.blur();
                e.stopPropagation();
              }
            }}
          />
        </label>
      ) : null}
      <div className="segmented" role="group" aria-label="Direction">
        {(['all', 'in', 'out'] as const).map((d) => (
          <button
            key={d}
            type="button"
            aria-pressed={value.direction === d}
            className={value.direction === d ? 'is-on' : ''}
            onClick={() => onChange({ ...value, direction: d })}
          >
            {d === 'all' ? 'Both' : d === 'in' ? '↓ In' : '↑ Out'}
          </button>
        ))}
      </div>
      <div className="opcode-filter" role="group" aria-label="Opcodes">
        {FILTER_OPCODES.map((op) => (
          <label key={op} className={`opcode-check op-${op}`}>
            <input type="checkbox" checked={value.opcodes.includes(op)} onChange={() => toggleOpcode(op)} />
            {op}
          </label>
        ))}
      </div>
      {connections && (connections.length > 1 || value.connection !== null) ? (
        <select
          className="connection-filter"
          aria-label="Frames of connection"
          value={value.connection ?? ''}
          onChange={(e) => onChange({ ...value, connection: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">All connections</option>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              #{c.ordinal} · {c.outcome}
            </option>
          ))}
        </select>
      ) : null}
      <button
        type="button"
        className={`btn btn-small time-range-toggle${value.from || value.to ? ' is-set' : ''}`}
        aria-expanded={rangeOpen}
        aria-controls={rangeId}
        onClick={() => setRangeOpen(!rangeOpen)}
        title="Only frames between two times"
      >
        {value.from || value.to ? `Time ${value.from || '…'} – ${value.to || '…'}` : 'Time range'}
        <ChevronIcon open={rangeOpen} />
      </button>
      <span className="filter-count" aria-live="polite">
        {filtered
          ? shown === null
            ? `searching ${formatCount(total)} frames…`
            : `${formatCount(shown)} of ${formatCount(total)} frames`
          : `${formatCount(total)} ${total === 1 ? 'frame' : 'frames'}`}
        {filtered && value.mode === 'words' && value.text.trim() && unindexed > 0 ? (
          <span
            className="warn-text"
            title="The full-text index fills in behind the capture; search again in a moment"
          >
            {' '}
            · {formatCount(unindexed)} not indexed yet
          </span>
        ) : null}
      </span>
      {rangeOpen ? (
        <div className="time-range" id={rangeId} role="group" aria-label="Time range">
          <input
            aria-label="From time"
            placeholder="from"
            value={from}
            spellCheck={false}
            onChange={(e) => setFrom(e.target.value)}
            onBlur={commitRange}
            onKeyDown={(e) => e.key === 'Enter' && commitRange()}
          />
          <span className="muted">to</span>
          <input
            aria-label="To time"
            placeholder="to"
            value={to}
            spellCheck={false}
            onChange={(e) => setTo(e.target.value)}
            onBlur={commitRange}
            onKeyDown={(e) => e.key === 'Enter' && commitRange()}
          />
          <span className="field-hint">
            <code>+2.5</code> seconds after the first frame, <code>02:07:42.5</code> as a time of day, or an
            ISO timestamp. Enter applies.
          </span>
          {value.from || value.to ? (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => {
                setFrom('');
                setTo('');
                onChange({ ...value, from: '', to: '' });
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
});
