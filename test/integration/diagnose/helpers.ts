// Shared by the diagnose tests: running `frameline probe` and `frameline diagnose` as a user would,
// starting the Python peer with scenario flags, and reading findings out of the JSON.
import { expect } from 'vitest';
import type { Diagnosis, Finding, FindingId } from '../../../shared/findings.js';
import { cli, type CliResult } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';

export type ProbeJson = Diagnosis & { runId: string; direct: string | null };

export interface Run {
  result: CliResult;
  report: ProbeJson;
}

function parsed(result: CliResult): ProbeJson {
  try {
    return JSON.parse(result.stdout) as ProbeJson;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** `frameline probe URL ARGS --json` against `db`. */
export async function probe(url: string, args: string[], db: string, timeoutMs = 60_000): Promise<Run> {
  const result = await cli(['probe', url, ...args, '--json', '--db', db], {}, timeoutMs);
  return { result, report: parsed(result) };
}

/** `frameline diagnose ID --json` against `db`. */
export async function diagnose(id: number, db: string, args: string[] = []): Promise<Run> {
  const result = await cli(['diagnose', String(id), ...args, '--json', '--db', db]);
  return { result, report: parsed(result) };
}

/** The Python `websockets` peer with scenario flags; its ws:// URL. */
export async function pythonServer(flags: string[]): Promise<Peer & { url: string }> {
  const peer = await startPeer(PYTHON, [serverScript('python_ws.py'), ...flags]);
  return { ...peer, url: `ws://127.0.0.1:${peer.port}` };
}

/** The finding with this id, or a failed expectation that lists what was found instead. */
export function findingOf(report: Diagnosis, id: FindingId): Finding {
  const f = report.findings.find((x) => x.id === id);
  expect(f, `finding ${id} among ${JSON.stringify(report.findings.map((x) => x.id))}`).toBeDefined();
  return f!;
}

/** The ids of the findings that are warnings or critical. */
export function serious(report: Diagnosis): string[] {
  return report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}: ${f.summary}`);
}

/** A check by name. */
export function checkOf(report: Diagnosis, name: string) {
  const c = report.checks.find((x) => x.name === name);
  expect(c, `check ${name} among ${JSON.stringify(report.checks.map((x) => x.name))}`).toBeDefined();
  return c!;
}

/** Things to stop after each test, in reverse order of start. */
export class Stack {
  private readonly items: Array<() => Promise<void>> = [];
  push<T extends { close(): Promise<void> } | { stop(): Promise<void> }>(item: T): T {
    this.items.push(() => ('close' in item ? item.close() : item.stop()));
    return item;
  }
  async unwind(): Promise<void> {
    for (const stop of this.items.splice(0).reverse()) await stop();
  }
}
