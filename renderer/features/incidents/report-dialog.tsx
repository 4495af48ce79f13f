// "Export report": the incident's post-mortem in a format to share, redacted as set here, with a
// preview of exactly what will be saved. The HTML report is shown in a sandboxed frame (no script
// runs there, and the console's policy lets in the report's one stylesheet and nothing else); PDF
// is that HTML printed; Markdown and JSON are shown as the text they are.
import { useEffect, useState } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import type { ReportFormat } from '../../../shared/contract/reports';
import { redactionSentence } from '../../../shared/redaction';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatBytes } from '../../components/format';
import { fromBase64, saveFile } from '../../components/files';
import { RedactionOptionsEditor, redactionOf, type RedactionDraft } from '../../components/redaction-options';
import { ModalDialog } from '../../components/modal-dialog';

type Rendered = ResponseOf<'reports', 'render'>;
type Linked = ResponseOf<'incidents', 'get'>['sessions'][number];

/** The two linked sessions a "Before and after" section compares, or none. */
type Compared = { before: number; after: number } | null;

/** "Before and after": on, with which linked session is which (the oldest before, the newest after). */
function CompareOption({
  linked,
  compared,
  onChange,
}: {
  linked: readonly Linked[];
  compared: Compared;
  onChange: (c: Compared) => void;
}) {
  if (linked.length < 2) return null;
  const ids = linked.map((s) => s.id).sort((a, b) => a - b);
  const pick = (side: 'before' | 'after', id: number) => compared && onChange({ ...compared, [side]: id });
  const select = (side: 'before' | 'after') => (
    <label className="report-compare-side">
      <span>{side === 'before' ? 'Before' : 'After'}</span>
      <select
        aria-label={side === 'before' ? 'Before the fix' : 'After the fix'}
        value={compared?.[side] ?? ''}
        disabled={!compared}
        onChange={(e) => pick(side, Number(e.target.value))}
      >
        {linked.map((s) => (
          <option key={s.id} value={s.id}>
            #{s.id} {s.name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset className="report-compare">
      <label>
        <input
          type="checkbox"
          checked={compared !== null}
          onChange={(e) =>
            onChange(e.target.checked ? { before: ids[0]!, after: ids[ids.length - 1]! } : null)
          }
        />{' '}
        Include “Before and after”
      </label>
      {select('before')}
      {select('after')}
    </fieldset>
  );
}

const FORMATS: Array<[ReportFormat, string]> = [
  ['html', 'HTML'],
  ['pdf', 'PDF'],
  ['md', 'Markdown'],
  ['json', 'JSON'],
];

export function ReportDialog({
  api,
  incidentId,
  linked = [],
  onClose,
}: {
  api: Api;
  incidentId: number;
  /** The incident's linked sessions: two of them can be compared in the report. */
  linked?: readonly Linked[];
  onClose: () => void;
}) {
  const [compared, setCompared] = useState<Compared>(null);
  const [format, setFormat] = useState<ReportFormat>('html');
  const [redaction, setRedaction] = useState<RedactionDraft>({ enabled: true, fields: '', patterns: '' });
  const [preview, setPreview] = useState<Rendered | null>(null);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** What the last save wrote, said until the options change. */
  const [done, setDone] = useState<string | null>(null);

  // The preview follows the options; a PDF is previewed as the HTML it is printed from.
  const previewFormat: ReportFormat = format === 'pdf' ? 'html' : format;
  const options = redactionOf(redaction.enabled, redaction.fields, redaction.patterns);
  const compare = compared ? { compare: compared } : {};
  const key = JSON.stringify([previewFormat, options, compared]);
  useEffect(() => {
    let current = true;
    setBusy('preview');
    setError(null);
    setDone(null);
    const timer = setTimeout(() => {
      api.reports
        .render({ incidentId, format: previewFormat, redaction: options, ...compare })
        .then((r) => current && setPreview(r))
        .catch((err: unknown) => current && setError(errorMessage(err)))
        .finally(() => current && setBusy(null));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, incidentId, key]);

  const save = async () => {
    setBusy('save');
    setError(null);
    setDone(null);
    try {
      const r =
        preview && format === previewFormat
          ? preview
          : await api.reports.render({ incidentId, format, redaction: options, ...compare });
      const content = r.encoding === 'base64' ? fromBase64(r.content) : r.content;
      saveFile(r.fileName, r.mimeType, [content]);
      const size = typeof content === 'string' ? new TextEncoder().encode(content).length : content.length;
      setDone(`Saved ${r.fileName}: ${formatBytes(size)}. ${redactionSentence(r.redaction)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <ModalDialog className="report-dialog" labelledBy="report-dialog-title" onCancel={onClose}>
      <div className="report-dialog-side">
        <h2 id="report-dialog-title">Export report</h2>
        <div className="segmented" role="radiogroup" aria-label="Format">
          {FORMATS.map(([f, label]) => (
            <button
              key={f}
              type="button"
              role="radio"
              aria-checked={format === f}
              className={format === f ? 'is-on' : ''}
              onClick={() => setFormat(f)}
            >
              {label}
            </button>
          ))}
        </div>
        <p className="muted small">
          {format === 'html'
            ? 'One self-contained file: no script, nothing fetched, prints well.'
            : format === 'pdf'
              ? 'The HTML report printed by Chromium (A4).'
              : format === 'md'
                ? 'For tickets and wikis: the flowchart as a mermaid block.'
                : 'The same content as data, with its schemaVersion.'}
        </p>
        <CompareOption linked={linked} compared={compared} onChange={setCompared} />
        <RedactionOptionsEditor
          draft={redaction}
          onChange={(patch) => setRedaction((d) => ({ ...d, ...patch }))}
          disabled={busy === 'save'}
        />
        {preview ? (
          <p className="report-redaction small" data-testid="report-redaction">
            {redactionSentence(preview.redaction)}
          </p>
        ) : null}
        {done ? (
          <p role="status" className="small" data-testid="report-done">
            {done}
          </p>
        ) : null}
        {error ? <ErrorNote>{error}</ErrorNote> : null}
        <div className="report-dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy === 'save'}>
            Close
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void save()}
            disabled={busy !== null}
          >
            {busy === 'save' ? 'Writing…' : `Save ${FORMATS.find(([f]) => f === format)![1]}`}
          </button>
        </div>
      </div>
      <div className="report-preview" aria-label="Preview" aria-busy={busy === 'preview'}>
        {preview === null ? (
          <p className="muted">Building the report…</p>
        ) : previewFormat === 'html' ? (
          <iframe
            title="Report preview"
            sandbox=""
            srcDoc={preview.content}
            className="report-frame"
            data-testid="report-preview"
          />
        ) : (
          <pre className="report-text" data-testid="report-preview">
            {preview.content}
          </pre>
        )}
      </div>
    </ModalDialog>
  );
}
