// One report, four formats: JSON (the data itself), Markdown, self-contained HTML, and PDF printed
// from that HTML by the shell's Chromium.
import type { Report, ReportFormat } from '../../../shared/contract/reports.js';
import type { PdfPrinter } from './pdf.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { reportFileName } from './words.js';

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

export async function renderReport(
  report: Report,
  format: ReportFormat,
  pdf: PdfPrinter,
): Promise<RenderedReport> {
  const fileName = reportFileName(report, format);
  const utf8 = (text: string) => ({ fileName, mimeType: MIME[format], content: Buffer.from(text, 'utf8') });
  switch (format) {
    case 'json':
      return utf8(`${JSON.stringify(report, null, 2)}\n`);
    case 'md':
      return utf8(renderMarkdown(report));
    case 'html':
      return utf8(renderHtml(report));
    case 'pdf':
      return {
        fileName,
        mimeType: MIME.pdf,
        content: await pdf(renderHtml(report), {
          footer: `Incident ${report.incident.id}: ${report.incident.title}`.slice(0, 120),
        }),
      };
  }
}
