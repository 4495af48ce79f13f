// Where a runbook came from, as every host says it: the terminal's prompt, the desktop's dialog,
// serve's terminal, `frameline runbooks show`.
import type { RunbookProvenance } from './schemas.js';

/** Where a runbook came from, in words ("imported through the console, not trusted"). */
export function provenanceWords(r: { provenance: RunbookProvenance; trusted: boolean }): string {
  switch (r.provenance) {
    case 'builtin':
      return 'built in';
    case 'file':
      return 'imported from a file on the command line';
    case 'page':
      return r.trusted
        ? 'imported through the console, trusted on the command line since'
        : 'imported through the console, not trusted';
  }
}
