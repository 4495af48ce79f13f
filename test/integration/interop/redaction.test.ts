// Canary secrets placed where secrets hide — in headers, the URL, the subprotocol, nested JSON
// fields and a JWT inside frames, a command's output, a note — are absent from every export, whose
// header says what was taken out (rule and count); --no-redact keeps them (so this test can fail);
// the user's own fields and patterns are applied and counted, and a pattern is never printed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import {
  CANARIES,
  CANARY_VALUES,
  walkedIncident,
  type WalkedIncident,
} from '../../support/incident-fixture.js';

let ws: Workspace;
let incident: WalkedIncident;

beforeAll(async () => {
  ws = workspace();
  incident = await walkedIncident(ws.db);
  await incident.server.close();
}, 60_000);
afterAll(() => ws.cleanup());

function leaks(text: string): string[] {
  return CANARY_VALUES.filter((c) => text.includes(c));
}

async function exportText(args: string[]): Promise<string> {
  const r = await cli([...args, '--db', ws.db], {}, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('redaction of every export', () => {
  it('keeps every canary out of the report in all four formats, and says what it took out', async () => {
    const id = String(incident.incidentId);
    for (const format of ['md', 'html', 'json']) {
      const text = await exportText(['report', id, '--format', format]);
      expect({ format, leaks: leaks(text) }).toEqual({ format, leaks: [] });
      if (format === 'json')
        expect(
          (JSON.parse(text) as { redaction: { rules: Array<{ rule: string }> } }).redaction.rules,
        ).toContainEqual({
          rule: 'url-query',
          count: expect.any(Number),
          names: ['token'],
        });
      else expect(text).toMatch(/Redacted \d+ values \(.*url-query \d.*\)/);
    }
    if (!browserMissing()) {
      const pdf = join(ws.dir, 'canary.pdf');
      await exportText(['report', id, '-o', pdf]);
      const text = execFileSync('pdftotext', [pdf, '-']).toString();
      expect(leaks(text)).toEqual([]);
      expect(text).toContain('Redacted');
    }
  });

  it('keeps every canary out of the HAR and NDJSON of every session, headers and frames alike', async () => {
    for (const session of [incident.captureSessionId, incident.probeSessionId, incident.walkSessionId]) {
      for (const format of ['har', 'ndjson']) {
        const text = await exportText(['export', String(session), '--format', format]);
        expect({ session, format, leaks: leaks(text) }).toEqual({ session, format, leaks: [] });
      }
    }
    const har = JSON.parse(
      await exportText(['export', String(incident.captureSessionId), '--format', 'har']),
    ) as {
      log: {
        comment: string;
        _frameline: { redaction: { rules: Array<{ rule: string; count: number }> } };
        entries: Array<{ request: { url: string; headers: Array<{ name: string; value: string }> } }>;
      };
    };
    const rules = Object.fromEntries(har.log._frameline.redaction.rules.map((r) => [r.rule, r.count]));
    for (const rule of ['header', 'url-query', 'subprotocol', 'json-field', 'jwt'])
      expect(rules[rule], rule).toBeGreaterThan(0);
    expect(har.log.comment).toMatch(/^Redacted \d+ values \(/);
    const headers = Object.fromEntries(har.log.entries[0]!.request.headers.map((h) => [h.name, h.value]));
    expect(headers).toMatchObject({
      Authorization: 'Bearer ***',
      'X-Api-Key': '***',
      'Sec-WebSocket-Protocol': 'access_token, ***',
    });
    expect(har.log.entries[0]!.request.url).toMatch(/\/live\?room=7&token=\*\*\*$/);
    const nd = (await exportText(['export', String(incident.captureSessionId), '--format', 'ndjson'])).split(
      '\n',
    );
    expect(JSON.parse(nd[0]!)).toMatchObject({ frameline: { redaction: { enabled: true } } });
    const welcome = nd
      .slice(1)
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { payload: string })
      .find((f) => f.payload.includes('"welcome"'));
    expect(welcome!.payload).toContain('"auth":{"password":"***","level":"admin"}');
  });

  it('keeps them all with --no-redact, and says so in the header', async () => {
    const har = await exportText([
      'export',
      String(incident.captureSessionId),
      '--format',
      'har',
      '--no-redact',
    ]);
    for (const canary of [
      CANARIES.header,
      CANARIES.apiKey,
      CANARIES.url,
      CANARIES.subprotocol,
      CANARIES.json,
      CANARIES.jwt,
    ])
      expect(har).toContain(canary);
    expect(har).toContain('Redaction was turned off for this export: it may hold credentials');
    const md = await exportText(['report', String(incident.incidentId), '--no-redact']);
    expect(md).toContain(CANARIES.shell);
    expect(md).toContain(CANARIES.note);
    expect(md).toContain('**Redaction off:**');
  });

  it("applies the user's fields and patterns, counts them, and never prints a pattern", async () => {
    const md = await exportText([
      'report',
      String(incident.incidentId),
      '--redact-field',
      'owner',
      '--redact-pattern',
      'Ana Ortiz|Bo Chen',
    ]);
    expect(md).not.toMatch(/Ana Ortiz|Bo Chen/);
    expect(md).toMatch(/user-pattern \d+/);
    expect(md).toContain('the fields owner and 1 pattern of the user');
    const nd = await exportText([
      'export',
      String(incident.captureSessionId),
      '--format',
      'ndjson',
      '--redact-field',
      'level',
    ]);
    expect(nd).not.toContain('\\"level\\":\\"admin\\"');
    expect(nd).toContain('\\"level\\":\\"***\\"');
    expect(JSON.parse(nd.split('\n')[0]!)).toMatchObject({
      frameline: {
        redaction: {
          userFields: ['level'],
          rules: expect.arrayContaining([
            { rule: 'user-field', count: expect.any(Number), names: ['level'] },
          ]),
        },
      },
    });
  });
});
