// `reports:*`: an incident's report as data, or written in a format to save or to preview.
import type { DomainSetup, EngineContext } from '../context.js';
import type { WalkEngine } from '../incidents/walk.js';
import { renderReport } from './formats.js';
import { chromiumPrinter, type PdfPrinter } from './pdf.js';
import { buildReport } from './report.js';
import { missingSegmentFiles } from '../sessions/sessions.js';

export interface ReportsOptions {
  /** The incidents domain's walks (incidents, walks and their runs). */
  walks: WalkEngine;
  version: string;
  /** How the shell prints a PDF; by default the system's Chromium through playwright-core. */
  pdf?: PdfPrinter;
}

/** Wires the reports domain. */
export function setupReports(ctx: EngineContext, options: ReportsOptions): DomainSetup<'reports'> {
  const pdf = options.pdf ?? chromiumPrinter();
  const sources = { ctx, walks: options.walks, version: options.version };
  return {
    handlers: {
      reports: {
        build: (r) => buildReport(sources, r.incidentId, r.redaction, r.compare),
        render: async (r) => {
          const report = await buildReport(sources, r.incidentId, r.redaction, r.compare);
          const out = await renderReport(report, r.format, pdf);
          const binary = r.format === 'pdf';
          return {
            fileName: out.fileName,
            mimeType: out.mimeType,
            encoding: binary ? ('base64' as const) : ('utf8' as const),
            content: out.content.toString(binary ? 'base64' : 'utf8'),
            redaction: report.redaction,
            damaged: report.sessions.flatMap((s) =>
              s.damagedFrames?.frames
                ? [
                    {
                      sessionId: s.id,
                      damagedFrames: s.damagedFrames,
                      restore: s.damagedFrames.missing > 0 ? missingSegmentFiles(ctx, s.id) : [],
                    },
                  ]
                : [],
            ),
          };
        },
      },
    },
  };
}
