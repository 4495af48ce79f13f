// "This secret must not appear": canary secrets, and a check that finds a canary in any output in
// every form it can leave in — as written, URL-encoded, JSON-escaped, or inside base64 (binary and
// close payloads are written as base64) — and says in which output and where.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { browserMissing } from './browser.js';
import { cli } from './cli.js';

/** The forms a secret takes in a file: as is, URL-encoded, JSON-escaped, base64 and base64url. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  const bytes = Buffer.from(secret, 'utf8');
  // Inside a longer base64 text the secret starts at any of three byte offsets: the characters that
  // encode only its own bytes are the same whatever surrounds it.
  if (bytes.length >= 6)
    for (let k = 0; k < 3; k++) {
      const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
      const core = b64.slice(k === 0 ? 0 : k + 1, Math.floor((k + bytes.length) / 3) * 4);
      if (core.length >= 8) {
        forms.add(core);
        forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  return [...forms];
}

/** One canary found in an output: which one, the form it was in, and the text around it. */
export interface Leak {
  secret: string;
  form: string;
  around: string;
}

/** Every canary of `secrets` that appears in `text`, in any of its forms. */
export function leaksIn(text: string, secrets: readonly string[]): Leak[] {
  const found: Leak[] = [];
  for (const secret of secrets)
    for (const form of secretForms(secret)) {
      const at = text.indexOf(form);
      if (at < 0) continue;
      found.push({ secret, form, around: text.slice(Math.max(0, at - 60), at + form.length + 20) });
      break;
    }
  return found;
}

/**
 * Asserts that no canary appears in any of the outputs (a name for each: "har", "report.md"…); a
 * failure lists each output with the canaries found in it and where.
 */
export function expectNoSecrets(outputs: Record<string, string>, secrets: readonly string[]): void {
  const leaks: Record<string, Leak[]> = {};
  for (const [name, text] of Object.entries(outputs)) {
    const found = leaksIn(text, secrets);
    if (found.length > 0) leaks[name] = found;
  }
  expect(leaks).toEqual({});
}

/** A canary secret: a recognisable prefix and random hex, so that no output holds it by chance. */
export function canary(label: string): string {
  return `canary-${label}-${Math.random().toString(16).slice(2, 10)}`;
}

/** A canary of letters only (no digit, no dash): the shape a rule that looks for digits misses. */
export function letterCanary(label: string): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let tail = '';
  for (let i = 0; i < 8; i++) tail += letters[Math.floor(Math.random() * letters.length)];
  return `canary${label.replace(/[^A-Za-z]/g, '')}${tail}`;
}

/** The session export formats of `frameline export`. */
export const EXPORT_FORMATS = ['har', 'ndjson', 'artillery', 'k6'] as const;
/** The report formats of `frameline report` written as text (the PDF is read back by pdftotext). */
export const REPORT_FORMATS = ['md', 'html', 'json'] as const;

/**
 * Everything Frameline writes for others from a database, as text, each under a name ("export 3
 * har", "report 1 pdf", and the line each command printed on stderr): every export format of each
 * session, and every report format of the incident (the PDF when a browser is there to print it).
 */
export async function everyOutput(
  db: string,
  dir: string,
  of: { sessions: readonly number[]; incidentId?: number; formats?: readonly string[] },
): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  const run = async (name: string, args: string[]) => {
    const r = await cli([...args, '--db', db], {}, 60_000);
    expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    outputs[name] = r.stdout;
    outputs[`${name} (stderr)`] = r.stderr;
  };
  for (const session of of.sessions)
    for (const format of of.formats ?? EXPORT_FORMATS)
      await run(`export ${session} ${format}`, ['export', String(session), '--format', format]);
  if (of.incidentId !== undefined) {
    const id = String(of.incidentId);
    for (const format of REPORT_FORMATS)
      await run(`report ${id} ${format}`, ['report', id, '--format', format]);
    if (!browserMissing()) {
      const pdf = join(dir, `report-${id}.pdf`);
      await run(`report ${id} pdf`, ['report', id, '-o', pdf]);
      outputs[`report ${id} pdf`] = execFileSync('pdftotext', [pdf, '-']).toString();
      // The PDF's own bytes too: text that pdftotext would not show (metadata, links).
      outputs[`report ${id} pdf (bytes)`] = readFileSync(pdf).toString('latin1');
    }
  }
  return outputs;
}
