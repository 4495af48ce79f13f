#!/usr/bin/env node
// The `frameline` command: the engine without a window, for scripts, CI and the tests.
import { InputError } from '../engine/errors.js';
import { onReadOnlyOpen, onRecovery } from '../engine/sessions/sessions.js';
import { usedDbPath } from './args.js';
import * as capture from './commands/capture.js';
import * as compact from './commands/compact.js';
import * as diagnose from './commands/diagnose.js';
import * as exportCommand from './commands/export.js';
import * as importCommand from './commands/import.js';
import * as incident from './commands/incident.js';
import * as mock from './commands/mock.js';
import * as probe from './commands/probe.js';
import * as recover from './commands/recover.js';
import * as replay from './commands/replay.js';
import * as report from './commands/report.js';
import * as runbooks from './commands/runbooks.js';
import * as serve from './commands/serve.js';
import * as sessions from './commands/sessions.js';
import * as show from './commands/show.js';
import * as walk from './commands/walk.js';
import { failure } from './failure.js';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  capture,
  sessions,
  show,
  probe,
  diagnose,
  incident,
  runbooks,
  walk,
  replay,
  mock,
  report,
  import: importCommand,
  export: exportCommand,
  serve,
  recover,
  compact,
};

const USAGE = `frameline — record and diagnose WebSocket traffic

Usage: frameline <command> [options]

Commands:
  capture URL     attach to a ws:// or wss:// endpoint and record every frame
  sessions        list recorded sessions
  show SESSION    show a session's connections and frames
  probe URL       run the troubleshooting checks against an endpoint, explain the findings
  diagnose SESSION
                  what a recorded session says is wrong (idle timeouts, storms, pongs…)
  incident        open, list, show and update incidents (with their timeline)
  runbooks        list, show, import and validate runbooks
  walk            walk an incident through a runbook: start, show, choose, back, note, run, action
  replay SESSION --to URL
                  send a recorded connection again and compare the answers (diff, latency)
  mock SESSION    serve a recorded connection's server side, with faults (idle-cut, close, delay…)
  report INCIDENT the incident's post-mortem report: Markdown, HTML, PDF or JSON (redacted)
  import FILE     a HAR file's WebSocket connections as a session
  export SESSION --format har|ndjson|artillery|k6
                  a session as HAR or NDJSON, or a connection as a load test (redacted;
                  secrets of a load test become environment variables)
  serve           the console in a browser (127.0.0.1, token-protected)
  recover         finish sessions whose recorder is gone (also ones recorded on another machine)
  compact         give back the disk space of deleted sessions (segment files, database pages)

Every command takes:
  --db PATH       the database (default: FRAMELINE_DB, else the desktop app's file)
  --json          machine-readable output on stdout
  -h, --help      help for the command

Exit codes: 0 success, 1 a failed check (could not connect...), 2 bad input.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('frameline 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new InputError(`unknown command "${name}"; run "frameline --help" for the list`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  return command.run(rest);
}

// Recovery runs whenever a database is opened; what it could not finish, or had to set aside, is
// said in one line each.
onRecovery((report) => {
  for (const d of report.deferred) process.stderr.write(`frameline: ${d.message}\n`);
  for (const a of report.setAside) process.stderr.write(`frameline: ${a.message}\n`);
  for (const e of report.elsewhere)
    process.stderr.write(
      `frameline: session ${e.sessionId} is live, recorded on ${e.host}; if no capture runs there any more, run "frameline recover"\n`,
    );
});

// A database that cannot be written here is opened for reading: said once, and named again by a
// write that fails on it.
let readOnly: { path: string; reason: string } | null = null;
onReadOnlyOpen((path, reason) => {
  if (readOnly?.path === path) return;
  readOnly = { path, reason };
  process.stderr.write(
    `frameline: ${path} is read-only here (${reason}): sessions can be listed, shown, diagnosed and exported, but nothing is recorded, changed or recovered\n`,
  );
});

// A reader that stops early (`frameline show 1 --frames | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { line, code } = failure(err, usedDbPath(), readOnly);
    process.stderr.write(`frameline: ${line}\n`);
    process.exitCode = code;
  },
);
