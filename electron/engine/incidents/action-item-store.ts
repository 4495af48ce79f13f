// Tables: action_item
// The action_item table: what is to be done after an incident, by whom and by when.
import type Database from 'better-sqlite3';
import type { ActionItem, ActionType } from '../../../shared/contract/incidents.js';
import { formatMicros } from '../../../shared/time.js';

export interface ActionItemRow {
  id: number;
  incident_id: number;
  title: string;
  kind: ActionType;
  owner: string;
  due: string | null;
  link: string | null;
  created_at: number;
  done_at: number | null;
}

export function fromActionItemRow(r: ActionItemRow): ActionItem {
  return {
    id: r.id,
    incidentId: r.incident_id,
    title: r.title,
    type: r.kind,
    owner: r.owner,
    due: r.due,
    link: r.link,
    done: r.done_at !== null,
    doneAt: r.done_at === null ? null : formatMicros(r.done_at),
    createdAt: formatMicros(r.created_at),
  };
}

export interface NewActionItem {
  incidentId: number;
  title: string;
  type: ActionType;
  owner: string;
  due: string | null;
  link: string | null;
  createdAt: number;
}

export function addActionItem(db: Database.Database, a: NewActionItem): number {
  const info = db
    .prepare(
      `INSERT INTO action_item (incident_id, title, kind, owner, due, link, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(a.incidentId, a.title, a.type, a.owner, a.due, a.link, a.createdAt);
  return Number(info.lastInsertRowid);
}

export function getActionItemRow(db: Database.Database, id: number): ActionItemRow | undefined {
  return db.prepare('SELECT * FROM action_item WHERE id = ?').get(id) as ActionItemRow | undefined;
}

/** Writes an action item's editable columns. */
export function saveActionItem(
  db: Database.Database,
  id: number,
  next: Pick<ActionItemRow, 'title' | 'kind' | 'owner' | 'due' | 'link' | 'done_at'>,
): void {
  db.prepare(
    `UPDATE action_item SET title = @title, kind = @kind, owner = @owner, due = @due, link = @link,
       done_at = @done_at WHERE id = @id`,
  ).run({ ...next, id });
}

export function removeActionItem(db: Database.Database, id: number): boolean {
  return db.prepare('DELETE FROM action_item WHERE id = ?').run(id).changes === 1;
}

/** An incident's action items in the order they were added. */
export function listActionItems(db: Database.Database, incidentId: number): ActionItem[] {
  return (
    db
      .prepare('SELECT * FROM action_item WHERE incident_id = ? ORDER BY id')
      .all(incidentId) as ActionItemRow[]
  ).map(fromActionItemRow);
}
