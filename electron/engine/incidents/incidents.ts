// Incidents and their post-mortems: open one, change any field, keep its action items, and link the
// sessions that are its evidence. Every change goes on the incident's timeline in the same
// transaction, so the timeline is the record of who changed what, when.
import type {
  ActionItem,
  ActionType,
  Incident,
  IncidentSeverity,
  IncidentStatus,
  LinkedSession,
  TimelineEntry,
  WalkSummary,
} from '../../../shared/contract/incidents.js';
import { formatMicros, instantMicros } from '../../../shared/time.js';
import { describeServer, type PrometheusServer } from '../../../shared/prometheus.js';
import { nowMicros } from '../clock.js';
import { InputError, MissingError } from '../errors.js';
import { getSession } from '../sessions/session-store.js';
import type { Db } from '../store/database.js';
import {
  addActionItem,
  fromActionItemRow,
  getActionItemRow,
  listActionItems,
  removeActionItem,
  saveActionItem,
} from './action-item-store.js';
import {
  createIncident,
  fromIncidentRow,
  getIncidentRow,
  listIncidents,
  saveIncident,
  type IncidentColumns,
} from './incident-store.js';
import { linkedSessions, linkSession, unlinkSession } from './incident-session-store.js';
import { TIME_ORDER, type IncidentTimes } from './metrics.js';
import { addEntry, incidentTimeline } from './timeline-store.js';
import { listWalks } from './walk-store.js';

/** A change to an incident: every field optional; a time set to null is cleared. */
export interface IncidentChange {
  title?: string;
  severity?: IncidentSeverity;
  status?: IncidentStatus;
  impactStartedAt?: string | null;
  detectedAt?: string;
  acknowledgedAt?: string | null;
  mitigatedAt?: string | null;
  resolvedAt?: string | null;
  responders?: string[];
  summary?: string;
  impact?: string;
  trigger?: string;
  rootCause?: string;
  detection?: string;
  resolution?: string;
  wentWell?: string;
  wentWrong?: string;
  gotLucky?: string;
  /** The Prometheus server of the query steps; null forgets it. */
  prometheus?: PrometheusServer | null;
}

/** An incident with everything the console's incident view and the report start from. */
export interface IncidentDetail {
  incident: Incident;
  walks: WalkSummary[];
  timeline: TimelineEntry[];
  actionItems: ActionItem[];
  sessions: LinkedSession[];
}

export interface NewAction {
  title: string;
  type: ActionType;
  owner?: string;
  due?: string;
  link?: string;
}

export interface ActionChange {
  title?: string;
  type?: ActionType;
  owner?: string;
  due?: string | null;
  link?: string | null;
  done?: boolean;
}

/** The text fields of an incident: their column, and how the timeline names them. */
const TEXT_FIELDS = [
  ['summary', 'summary', 'summary'],
  ['impact', 'impact', 'impact'],
  ['trigger', 'triggered_by', 'trigger'],
  ['rootCause', 'root_cause', 'root cause'],
  ['detection', 'detection', 'detection'],
  ['resolution', 'resolution', 'resolution'],
  ['wentWell', 'went_well', 'what went well'],
  ['wentWrong', 'went_wrong', 'what went wrong'],
  ['gotLucky', 'got_lucky', 'where we got lucky'],
] as const;

/** The times of an incident: their column, and how the timeline names them. */
const TIME_FIELDS = [
  ['impactStartedAt', 'impact_started_at', 'impact start'],
  ['detectedAt', 'detected_at', 'detected'],
  ['acknowledgedAt', 'acknowledged_at', 'acknowledged'],
  ['mitigatedAt', 'mitigated_at', 'mitigated'],
  ['resolvedAt', 'resolved_at', 'resolved'],
] as const;

const TIME_WORDS: Record<keyof IncidentTimes, string> = {
  impactStartedAt: 'the impact start',
  detectedAt: 'detection',
  acknowledgedAt: 'acknowledgement',
  mitigatedAt: 'mitigation',
  resolvedAt: 'resolution',
};

export interface IncidentsOptions {
  db: Db;
  /** An incident changed: the console redraws it. */
  changed?: (incidentId: number) => void;
}

export class Incidents {
  private readonly db: Db;

  constructor(private readonly options: IncidentsOptions) {
    this.db = options.db;
  }

  create(r: { title: string; severity?: IncidentSeverity; prometheus?: PrometheusServer }): Incident {
    const title = r.title.trim();
    if (title === '') throw new InputError('an incident needs a title, such as "Chat drops every minute"');
    const now = nowMicros();
    const severity = r.severity ?? 'P2';
    const id = this.db.transaction(() => {
      const id = createIncident(this.db, { title, severity, detectedAt: now });
      addEntry(this.db, {
        incidentId: id,
        ts: now,
        kind: 'incident-created',
        text: `incident opened: ${title} (${severity})`,
      });
      if (r.prometheus) this.setPrometheus(id, r.prometheus, now);
      return id;
    })();
    this.options.changed?.(id);
    return this.get(id);
  }

  /** One incident; MissingError when there is none with that id. */
  get(id: number): Incident {
    const row = getIncidentRow(this.db, id);
    if (!row) throw new MissingError(`no incident ${id}; list them with "frameline incident list"`);
    return fromIncidentRow(row);
  }

  list(): Incident[] {
    return listIncidents(this.db);
  }

  detail(id: number): IncidentDetail {
    return {
      incident: this.get(id),
      walks: listWalks(this.db, id),
      timeline: incidentTimeline(this.db, id),
      actionItems: listActionItems(this.db, id),
      sessions: this.sessions(id),
    };
  }

  /**
   * Changes an incident. Moving to mitigated or resolved stamps that time when it is not set
   * (resolving also stamps mitigation when it was skipped); reopening keeps the stamps as history.
   * Times must keep their order (impact start, detection, acknowledgement; mitigation, resolution).
   */
  update(id: number, change: IncidentChange): Incident {
    const now = nowMicros();
    this.db.transaction(() => {
      const row = getIncidentRow(this.db, id);
      if (!row) throw new MissingError(`no incident ${id}; list them with "frameline incident list"`);
      const before = fromIncidentRow(row);
      const next: IncidentColumns = { ...row };
      const said: string[] = [];
      if (change.title !== undefined && change.title.trim() !== row.title) {
        next.title = change.title.trim();
        said.push(`title "${next.title}"`);
      }
      if (change.severity !== undefined && change.severity !== row.severity) {
        next.severity = change.severity;
        said.push(`severity ${change.severity}`);
      }
      for (const [field, column, words] of TIME_FIELDS) {
        const value = change[field];
        if (value === undefined) continue;
        const us = value === null ? null : instantMicros(value);
        if (us === row[column]) continue;
        (next as Record<string, unknown>)[column] = us;
        said.push(us === null ? `${words} time cleared` : `${words} ${formatMicros(us)}`);
      }
      if (change.status !== undefined && change.status !== row.status) {
        next.status = change.status;
        if (change.status !== 'open' && next.mitigated_at === null) next.mitigated_at = now;
        if (change.status === 'resolved' && next.resolved_at === null) next.resolved_at = now;
        said.push(`status ${change.status}`);
      }
      if (change.responders !== undefined) {
        const responders = [...new Set(change.responders.map((r) => r.trim()).filter(Boolean))];
        if (JSON.stringify(responders) !== row.responders) {
          next.responders = JSON.stringify(responders);
          said.push(responders.length ? `responders ${responders.join(', ')}` : 'responders cleared');
        }
      }
      for (const [field, column, words] of TEXT_FIELDS) {
        const value = change[field];
        if (value === undefined || value === row[column]) continue;
        next[column] = value;
        said.push(value.trim() === '' ? `${words} cleared` : `${words} written`);
      }
      if (change.prometheus !== undefined) {
        const stored = change.prometheus === null ? null : JSON.stringify(checkedServer(change.prometheus));
        if (stored !== row.prometheus) {
          next.prometheus = stored;
          said.push(
            change.prometheus === null
              ? 'Prometheus server forgotten'
              : `Prometheus ${describeServer(change.prometheus)}`,
          );
        }
      }
      checkOrder({
        impactStartedAt: next.impact_started_at,
        detectedAt: next.detected_at,
        acknowledgedAt: next.acknowledged_at,
        mitigatedAt: next.mitigated_at,
        resolvedAt: next.resolved_at,
      });
      if (said.length === 0) return;
      saveIncident(this.db, id, next);
      addEntry(this.db, {
        incidentId: id,
        ts: now,
        kind: 'incident-updated',
        text: `incident ${said.join(', ')}`,
        detail: { change, before: pick(before, Object.keys(change)) },
      });
    })();
    this.options.changed?.(id);
    return this.get(id);
  }

  private setPrometheus(id: number, server: PrometheusServer, now: number): void {
    const row = getIncidentRow(this.db, id)!;
    saveIncident(this.db, id, { ...row, prometheus: JSON.stringify(checkedServer(server)) });
    addEntry(this.db, {
      incidentId: id,
      ts: now,
      kind: 'incident-updated',
      text: `incident Prometheus ${describeServer(server)}`,
      detail: { change: { prometheus: server } },
    });
  }

  addAction(incidentId: number, a: NewAction): ActionItem {
    this.get(incidentId);
    const now = nowMicros();
    const title = a.title.trim();
    if (title === '')
      throw new InputError('an action item needs a title, such as "Raise the proxy idle timeout"');
    const actionId = this.db.transaction(() => {
      const actionId = addActionItem(this.db, {
        incidentId,
        title,
        type: a.type,
        owner: a.owner?.trim() ?? '',
        due: a.due ?? null,
        link: a.link ?? null,
        createdAt: now,
      });
      addEntry(this.db, {
        incidentId,
        ts: now,
        kind: 'action-added',
        text: `action item ${actionId} added (${a.type}): ${title}${a.owner ? `, owner ${a.owner.trim()}` : ''}${a.due ? `, due ${a.due}` : ''}`,
        detail: { actionId, type: a.type, owner: a.owner ?? '', due: a.due ?? null, link: a.link ?? null },
      });
      return actionId;
    })();
    this.options.changed?.(incidentId);
    return this.action(actionId);
  }

  /** One action item; MissingError when there is none with that id. */
  action(id: number): ActionItem {
    const row = getActionItemRow(this.db, id);
    if (!row)
      throw new MissingError(`no action item ${id}; list them with "frameline incident show INCIDENT"`);
    return fromActionItemRow(row);
  }

  updateAction(id: number, change: ActionChange): ActionItem {
    const now = nowMicros();
    const incidentId = this.db.transaction(() => {
      const row = getActionItemRow(this.db, id);
      if (!row)
        throw new MissingError(`no action item ${id}; list them with "frameline incident show INCIDENT"`);
      const next = {
        title: change.title?.trim() || row.title,
        kind: change.type ?? row.kind,
        owner: change.owner !== undefined ? change.owner.trim() : row.owner,
        due: change.due !== undefined ? change.due : row.due,
        link: change.link !== undefined ? change.link : row.link,
        done_at: change.done === undefined ? row.done_at : change.done ? (row.done_at ?? now) : null,
      };
      const said: string[] = [];
      if (next.title !== row.title) said.push(`title "${next.title}"`);
      if (next.kind !== row.kind) said.push(`type ${next.kind}`);
      if (next.owner !== row.owner) said.push(next.owner ? `owner ${next.owner}` : 'owner cleared');
      if (next.due !== row.due) said.push(next.due ? `due ${next.due}` : 'due date cleared');
      if (next.link !== row.link) said.push(next.link ? `link ${next.link}` : 'link cleared');
      const doneChanged = (next.done_at === null) !== (row.done_at === null);
      if (said.length === 0 && !doneChanged) return row.incident_id;
      saveActionItem(this.db, id, next);
      const entries: Array<[string, string]> = [];
      if (said.length)
        entries.push(['action-updated', `action item ${id} "${next.title}": ${said.join(', ')}`]);
      if (doneChanged)
        entries.push(
          next.done_at !== null
            ? ['action-done', `action item ${id} done: ${next.title}`]
            : ['action-reopened', `action item ${id} not done after all: ${next.title}`],
        );
      for (const [kind, text] of entries)
        addEntry(this.db, {
          incidentId: row.incident_id,
          ts: now,
          kind,
          text,
          detail: { actionId: id, change },
        });
      return row.incident_id;
    })();
    this.options.changed?.(incidentId);
    return this.action(id);
  }

  removeAction(id: number): void {
    const row = getActionItemRow(this.db, id);
    if (!row)
      throw new MissingError(`no action item ${id}; list them with "frameline incident show INCIDENT"`);
    const now = nowMicros();
    this.db.transaction(() => {
      removeActionItem(this.db, id);
      addEntry(this.db, {
        incidentId: row.incident_id,
        ts: now,
        kind: 'action-removed',
        text: `action item ${id} removed: ${row.title}`,
        detail: { actionId: id, title: row.title },
      });
    })();
    this.options.changed?.(row.incident_id);
  }

  /** The sessions linked to an incident, as listed, with how and when they were linked. */
  sessions(incidentId: number): LinkedSession[] {
    const out: LinkedSession[] = [];
    for (const link of linkedSessions(this.db, incidentId)) {
      const session = getSession(this.db, link.session_id);
      if (session) out.push({ ...session, linkedAt: formatMicros(link.linked_at), via: link.via });
    }
    return out;
  }

  /** Links a session by hand; linking it again changes nothing. */
  link(incidentId: number, sessionId: number): LinkedSession[] {
    this.get(incidentId);
    this.linkSession(incidentId, sessionId, 'user');
    return this.sessions(incidentId);
  }

  unlink(incidentId: number, sessionId: number): LinkedSession[] {
    this.get(incidentId);
    const now = nowMicros();
    this.db.transaction(() => {
      if (!unlinkSession(this.db, incidentId, sessionId))
        throw new InputError(`session ${sessionId} is not linked to incident ${incidentId}`);
      addEntry(this.db, {
        incidentId,
        ts: now,
        kind: 'session-unlinked',
        text: `session ${sessionId} unlinked`,
        detail: { sessionId },
      });
    })();
    this.options.changed?.(incidentId);
    return this.sessions(incidentId);
  }

  /**
   * Links a session to an incident (inside the caller's transaction when there is one): a walk's
   * capture or probe links its session as it ends. Writes the link on the timeline once.
   */
  linkSession(
    incidentId: number,
    sessionId: number,
    via: 'walk' | 'user',
    walkId: number | null = null,
  ): void {
    const session = getSession(this.db, sessionId);
    if (!session)
      throw new MissingError(`no session ${sessionId} in this database; list them with "frameline sessions"`);
    const now = nowMicros();
    const linked = this.db.transaction(() => {
      if (!linkSession(this.db, incidentId, sessionId, via, now)) return false;
      addEntry(this.db, {
        incidentId,
        walkId,
        ts: now,
        kind: 'session-linked',
        text: `session ${sessionId} (${session.kind} "${session.name}") linked${walkId !== null ? ` by walk ${walkId}` : ''}`,
        detail: { sessionId, via },
      });
      return true;
    })();
    if (linked) this.options.changed?.(incidentId);
  }
}

function checkOrder(t: IncidentTimes): void {
  for (const [a, b] of TIME_ORDER) {
    const earlier = t[a];
    const later = t[b];
    if (earlier === null || later === null || earlier <= later) continue;
    throw new InputError(
      `${TIME_WORDS[b]} (${formatMicros(later)}) would come before ${TIME_WORDS[a]} (${formatMicros(earlier)}); check the day and the time zone (times are UTC unless an offset is given)`,
    );
  }
}

/** A server whose auth says where its secret is: bearer and basic name an environment variable, basic a user. */
function checkedServer(s: PrometheusServer): PrometheusServer {
  if (s.auth !== 'none' && !s.secretEnv)
    throw new InputError(
      `${s.auth} auth needs the environment variable that holds its secret (such as PROMETHEUS_TOKEN); the secret itself is never stored`,
    );
  if (s.auth === 'basic' && !s.username) throw new InputError('basic auth needs a user name');
  return {
    url: s.url.replace(/\/+$/, ''),
    auth: s.auth,
    username: s.auth === 'basic' ? s.username : null,
    secretEnv: s.auth === 'none' ? null : s.secretEnv,
  };
}

function pick(incident: Incident, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in incident) out[k] = (incident as Record<string, unknown>)[k];
  return out;
}
