// Migration 0140 on a copy of the schema before it: runbooks imported before provenance was kept may
// have come through a page, so they count as a page's and are untrusted until a person trusts them;
// walks from before take their runbook's provenance while its row still holds the walk's copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../../../shared/runbooks/parse.js';
import { builtinRunbooks } from '../../../../shared/runbooks/builtin/index.js';
import { listRunbooks, trustRunbook } from '../../../../electron/engine/incidents/runbook-library.js';
import { WalkEngine } from '../../../../electron/engine/incidents/walk.js';
import { openStore } from '../../../../electron/engine/store/database.js';
import { schemaBefore, tempDir } from './helpers.js';

const SHELL_STEPS = readFileSync(
  new URL('../../../fixtures/runbooks/shell-steps.md', import.meta.url),
  'utf8',
);

describe('migration 0140 (runbook provenance)', () => {
  it('counts earlier imports as a page’s until trusted, and keeps built-in walks built in', async () => {
    const dir = tempDir('frameline-migrate-0140-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 140);
      const runbook = parseRunbook(SHELL_STEPS, { fileName: 'shell-steps.md' });
      old
        .prepare(
          "INSERT INTO runbook (id, title, version, source, file_name, imported_at) VALUES ('shell-steps', ?, '1', ?, 'shell-steps.md', 1000000)",
        )
        .run(runbook.title, SHELL_STEPS);
      old
        .prepare(
          "INSERT INTO incident (id, title, severity, status, detected_at) VALUES (1, 'Old', 'P2', 'open', 1000000)",
        )
        .run();
      const walk = old.prepare(
        "INSERT INTO walk (id, incident_id, runbook_id, runbook, status, started_at) VALUES (?, 1, ?, ?, 'active', 2000000)",
      );
      const visit = old.prepare(
        "INSERT INTO walk_step (walk_id, ordinal, node_id, entered_at, via, on_path) VALUES (?, 1, ?, 2000000, 'start', 1)",
      );
      walk.run(1, 'shell-steps', JSON.stringify(runbook));
      visit.run(1, runbook.start);
      const builtin = builtinRunbooks()[0]!;
      walk.run(2, builtin.id, JSON.stringify(builtin));
      visit.run(2, builtin.start);
      old.close();

      const db = openStore(path);
      const walks = new WalkEngine({ db, dbPath: path });
      try {
        expect(listRunbooks(db).find((r) => r.id === 'shell-steps')).toMatchObject({
          provenance: 'page',
          trusted: false,
        });
        expect(walks.runbookTrust(1)).toMatchObject({ provenance: 'page', trusted: false });
        expect(walks.runbookTrust(2)).toMatchObject({ provenance: 'builtin', trusted: true });
        trustRunbook(db, 'shell-steps');
        expect(walks.runbookTrust(1)).toMatchObject({ provenance: 'page', trusted: true });
        expect(db.prepare('SELECT runbook_provenance FROM walk ORDER BY id').pluck().all()).toEqual([
          null,
          null,
        ]);
      } finally {
        await walks.close();
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
