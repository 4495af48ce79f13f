// One report, four formats: JSON (the data itself), Markdown, self-contained HTML, and PDF printed
// from that HTML by the shell's Chromium.
import { escapeInvisible } from '../../../shared/command-text.js';
import type { Report, ReportFormat } from '../../../shared/contract/reports.js';
import type { PdfPrinter } from './pdf.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { reportFileName, visible } from './words.js';

/** A report written in one format. */
export interface RenderedReport {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

const MIME: Record<ReportFormat, string> = {
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

/** A character as JSON writes it escaped: `\u202e` (a pair of them beyond the BMP). */
const jsonEscape = (c: string) =>
  Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/**
 * The report as data. JSON is for programs: its strings keep each text as written, controls and
 * bidi characters included, so that a program reads what was stored and not ⟦U+202E⟧ (which would be
 * another text, and one a person could type). Only its bytes are made inert: JSON.stringify writes
 * C0 controls as \u00XX already, and every other character the Markdown and HTML show escaped is
 * written as \uXXXX here (they only occur inside strings), so the file printed to a terminal or
 * opened in an editor reorders and recolours nothing, and JSON.parse gives back the same strings.
 */
export function reportJson(report: Report): string {
  return escapeInvisible(`${JSON.stringify(report, null, 2)}\n`, { as: jsonEscape }).text;
}

export async function renderReport(
  report: Report,
  format: ReportFormat,
  pdf: PdfPrinter,
): Promise<RenderedReport> {
  const fileName = reportFileName(report, format);
  const utf8 = (text: string) => ({ fileName, mimeType: MIME[format], content: Buffer.from(text, 'utf8') });
  switch (format) {
    case 'json':
      return utf8(reportJson(report));
    case 'md':
      return utf8(renderMarkdown(report));
    case 'html':
      return utf8(renderHtml(report));
    case 'pdf':
      return {
        fileName,
        mimeType: MIME.pdf,
        content: await pdf(renderHtml(report), {
          footer: visible(`Incident ${report.incident.id}: ${report.incident.title}`.slice(0, 120)).text,
        }),
      };
  }
}
