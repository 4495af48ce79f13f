// What narrows the session list: words (name, target, tags), a status, a kind, an incident, and when
// it was created.
import { useEffect, useRef, useState } from 'react';
import type { Api, RequestOf, ResponseOf } from '../../../shared/contract';
import { useHotkey } from '../../components/hotkeys';
import { CloseIcon, SearchIcon } from '../../components/icons';
import { timeZoneMode, zoneWord } from '../../components/time-zone';

type Status = ResponseOf<'sessions', 'list'>[number]['status'];
type Kind = ResponseOf<'sessions', 'list'>[number]['kind'];
type Incident = ResponseOf<'incidents', 'list'>[number];

export type When = 'any' | 'hour' | 'day' | 'week' | 'custom';

export interface SessionFilters {
  query: string;
  status: Status | 'all';
  /** '' for every kind. */
  kind: Kind | '';
  /** Only the sessions of this incident (its walks' captures and probes). */
  incidentId: number | null;
  when: When;
  /** `YYYY-MM-DD`, UTC days, for a custom range. */
  fromDate: string;
  toDate: string;
}

export const NO_FILTERS: SessionFilters = {
  query: '',
  status: 'all',
  kind: '',
  incidentId: null,
  when: 'any',
  fromDate: '',
  toDate: '',
};

export function isFiltered(f: SessionFilters): boolean {
  return (
    f.query.trim() !== '' ||
    f.status !== 'all' ||
    f.kind !== '' ||
    f.incidentId !== null ||
    (f.when !== 'any' && (f.when !== 'custom' || f.fromDate !== '' || f.toDate !== ''))
  );
}

const HOUR_US = 3600 * 1_000_000;
const AGO: Record<Exclude<When, 'any' | 'custom'>, number> = {
  hour: HOUR_US,
  day: 24 * HOUR_US,
  week: 7 * 24 * HOUR_US,
};

/** The engine's request for these filters, at `nowMs`. */
export function listRequest(f: SessionFilters, nowMs: number): RequestOf<'sessions', 'list'> {
  const request: RequestOf<'sessions', 'list'> = {};
  if (f.query.trim()) request.query = f.query.trim();
  if (f.status !== 'all') request.status = f.status;
  if (f.kind) request.kind = f.kind;
  if (f.incidentId !== null) request.incidentId = f.incidentId;
  if (f.when === 'custom') {
    // Days of the zone the console shows times in.
    const z = timeZoneMode() === 'utc' ? 'Z' : '';
    const from = Date.parse(`${f.fromDate}T00:00:00${z}`);
    const to = Date.parse(`${f.toDate}T00:00:00${z}`);
    if (!Number.isNaN(from)) request.fromTs = from * 1000;
    if (!Number.isNaN(to)) request.toTs = (to + 86_400_000) * 1000 - 1;
  } else if (f.when !== 'any') {
    request.fromTs = nowMs * 1000 - AGO[f.when];
  }
  return request;
}

const STATUSES: Array<{ value: SessionFilters['status']; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'live', label: 'Live' },
  { value: 'complete', label: 'Complete' },
  { value: 'interrupted', label: 'Interrupted' },
  { value: 'failed', label: 'Failed' },
];

/** How each kind of session is named: in the list's Kind column, and as a choice of the filter. */
export const KIND_WORDS: Record<Kind, { word: string; plural: string }> = {
  capture: { word: 'capture', plural: 'captures' },
  probe: { word: 'probe', plural: 'probes' },
  import: { word: 'import', plural: 'imports' },
  pcap: { word: 'pcap', plural: 'packet captures' },
  replay: { word: 'replay', plural: 'replays' },
  mock: { word: 'mock', plural: 'mock runs' },
  relay: { word: 'relay', plural: 'relay runs' },
};

const KINDS: Array<{ value: Kind; label: string }> = (Object.keys(KIND_WORDS) as Kind[]).map((k) => ({
  value: k,
  label: KIND_WORDS[k].plural.charAt(0).toUpperCase() + KIND_WORDS[k].plural.slice(1),
}));

/** Characters of an incident's title the filter shows (a select cuts its text without an ellipsis). */
const TITLE_CHARS = 28;

/** An incident's title as the filter shows it: whole when short, else cut at a word with an ellipsis. */
export function shortTitle(title: string): string {
  if (title.length <= TITLE_CHARS) return title;
  const cut = title.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function SessionFilterBar({
  api,
  filters,
  onChange,
}: {
  api: Api;
  filters: SessionFilters;
  onChange: (f: SessionFilters) => void;
}) {
  const search = useRef<HTMLInputElement>(null);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const chosen = incidents.find((i) => i.id === filters.incidentId);
  useEffect(() => {
    let live = true;
    api.incidents.list({}).then(
      (list) => live && setIncidents(list),
      () => {
        // without the list there is no incident to offer; the rest of the filters still work
      },
    );
    return () => {
      live = false;
    };
  }, [api]);
  useHotkey('/', () => search.current?.focus());
  const set = (patch: Partial<SessionFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="session-filters" role="search">
      <label className="session-search">
        <SearchIcon />
        <input
          ref={search}
          type="search"
          placeholder="Search name, target or tag"
          aria-label="Search sessions by name, target or tag"
          value={filters.query}
          onChange={(e) => set({ query: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && filters.query) {
              e.preventDefault();
              e.stopPropagation();
              set({ query: '' });
            }
          }}
        />
        <kbd className="session-search-key" aria-hidden="true">
          /
        </kbd>
      </label>
      <div className="segmented" role="radiogroup" aria-label="Status">
        {STATUSES.map((s) => (
          <button
            key={s.value}
            type="button"
            role="radio"
            aria-checked={filters.status === s.value}
            className={filters.status === s.value ? 'is-on' : undefined}
            onClick={() => set({ status: s.value })}
          >
            {s.label}
          </button>
        ))}
      </div>
      <select
        className="session-kind-filter"
        aria-label="Kind"
        value={filters.kind}
        onChange={(e) => set({ kind: e.target.value as Kind | '' })}
      >
        <option value="">Every kind</option>
        {KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {k.label}
          </option>
        ))}
      </select>
      {incidents.length > 0 || filters.incidentId !== null ? (
        <select
          className="session-incident-filter"
          aria-label="Incident"
          value={filters.incidentId ?? ''}
          title={chosen ? `#${chosen.id} ${chosen.title}` : 'Sessions of one incident'}
          onChange={(e) => set({ incidentId: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">Any incident</option>
          {incidents.map((i) => (
            <option key={i.id} value={i.id} title={i.title}>
              #{i.id} {shortTitle(i.title)}
            </option>
          ))}
        </select>
      ) : null}
      <select
        className="session-when"
        aria-label="Created"
        value={filters.when}
        onChange={(e) => set({ when: e.target.value as When })}
      >
        <option value="any">Any time</option>
        <option value="hour">Last hour</option>
        <option value="day">Last 24 hours</option>
        <option value="week">Last 7 days</option>
        <option value="custom">Between dates…</option>
      </select>
      {filters.when === 'custom' && (
        <span className="session-dates">
          <input
            type="date"
            aria-label={`Created from (${zoneWord()})`}
            value={filters.fromDate}
            max={filters.toDate || undefined}
            onChange={(e) => set({ fromDate: e.target.value })}
          />
          <span className="muted">to</span>
          <input
            type="date"
            aria-label={`Created until (${zoneWord()})`}
            value={filters.toDate}
            min={filters.fromDate || undefined}
            onChange={(e) => set({ toDate: e.target.value })}
          />
          <span className="muted">{zoneWord()}</span>
        </span>
      )}
      {isFiltered(filters) && (
        <button type="button" className="btn btn-ghost btn-small" onClick={() => onChange(NO_FILTERS)}>
          <CloseIcon /> Clear filters
        </button>
      )}
    </div>
  );
}
