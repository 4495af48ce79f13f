#!/usr/bin/env node
// The `frameline` command: the engine without a window, for scripts, CI and the tests.
// Nothing is imported here at start: `--help` and `--version` print and exit, and a command loads
// the service and its own module when it runs (scripts/build-cli.mjs bundles them in chunks).
import type { ReadOnlyDatabase } from './failure.js';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Each command is loaded when it is run: a command costs only the code it uses. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  capture: () => import('./commands/capture.js'),
  sessions: () => import('./commands/sessions.js'),
  show: () => import('./commands/show.js'),
  probe: () => import('./commands/probe.js'),
  watch: () => import('./commands/watch.js'),
  diagnose: () => import('./commands/diagnose.js'),
  compare: () => import('./commands/compare.js'),
  incident: () => import('./commands/incident.js'),
  runbooks: () => import('./commands/runbooks.js'),
  walk: () => import('./commands/walk.js'),
  replay: () => import('./commands/replay.js'),
  mock: () => import('./commands/mock.js'),
  relay: () => import('./commands/relay.js'),
  report: () => import('./commands/report.js'),
  import: () => import('./commands/import.js'),
  export: () => import('./commands/export.js'),
  serve: () => import('./commands/serve.js'),
  recover: () => import('./commands/recover.js'),
  compact: () => import('./commands/compact.js'),
};

const USAGE = `frameline — record and diagnose WebSocket traffic

Usage: frameline <command> [options]

Commands:
  capture URL     attach to a ws:// or wss:// endpoint and record every frame
  sessions        list recorded sessions
  show SESSION    show a session's connections and frames
  probe URL       run the troubleshooting checks against an endpoint, explain the findings
  watch URL       probe an endpoint on a schedule and serve what it sees to Prometheus (/metrics)
  diagnose SESSION
                  what a recorded session says is wrong (idle timeouts, storms, pongs…)
  compare BEFORE AFTER
                  two sessions side by side, before and after a fix, with a verdict
  incident        open, list, show and update incidents (with their timeline)
  runbooks        list, show, import and validate runbooks
  walk            walk an incident through a runbook: start, show, choose, back, note, run, action
  replay SESSION --to URL
                  send a recorded connection again and compare the answers (diff, latency)
  mock SESSION    serve a recorded connection's server side, with faults (idle-cut, close, delay…)
  relay --to URL  stand between real clients and their server, recording every frame both ways
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
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    const { InputError } = await import('../engine/errors.js');
    throw new InputError(`unknown command "${name}"; run "frameline --help" for the list`);
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  await listenToStore();
  return command.run(rest);
}

// Opening a database may have something to say (what recovery did or left, a read-only file): one
// line each, the read-only one once per file.
let readOnly: ReadOnlyDatabase | null = null;
async function listenToStore(): Promise<void> {
  const { onStoreNotice } = await import('../engine/service.js');
  onStoreNotice((notice) => {
    if (notice.readOnly) {
      if (readOnly?.path === notice.readOnly.path) return;
      readOnly = notice.readOnly;
    }
    process.stderr.write(`frameline: ${notice.message}\n`);
  });
}

// A reader that stops early (`frameline show 1 --frames | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    const [{ failure }, { usedDbPath }] = await Promise.all([import('./failure.js'), import('./args.js')]);
    const { line, code } = failure(err, usedDbPath(), readOnly);
    process.stderr.write(`frameline: ${line}\n`);
    process.exitCode = code;
  },
);
