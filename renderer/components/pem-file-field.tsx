// A certificate or key chosen from a file, read here in the page and sent as its PEM text: the engine
// reads no file a request names (in browser mode a page could otherwise make it read anything on its
// machine). Bounded like the contract (1 MiB); what was chosen is shown by its name, with a way to
// take it back.
import { useId, useRef, useState } from 'react';
import { MAX_PEM_CHARS } from '../../shared/contract/fields';

/** A file chosen in the page: its name (shown) and its text (sent). */
export interface PemFile {
  name: string;
  text: string;
}

/** Reads a chosen file as PEM text; a sentence instead when it cannot be one. */
export async function readPemFile(file: File): Promise<PemFile | string> {
  if (file.size > MAX_PEM_CHARS)
    return `${file.name} is ${Math.round(file.size / 1024)} KiB; a certificate or key in PEM is a few KiB (at most 1 MiB): choose the right file`;
  const text = await file.text();
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text))
    return `${file.name} holds no PEM block ("-----BEGIN …-----"); choose the certificate or key in PEM`;
  return { name: file.name, text };
}

export function PemFileField({
  label,
  hint,
  value,
  error,
  disabled,
  onChange,
}: {
  label: string;
  hint?: string;
  value: PemFile | null;
  error?: string | undefined;
  disabled?: boolean;
  onChange: (file: PemFile | null) => void;
}) {
  const id = useId();
  const picker = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? error;
  return (
    <div className={`field pem-file${shown ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="pem-file-row">
        <input
          ref={picker}
          id={id}
          type="file"
          accept=".pem,.crt,.cer,.key,text/plain,application/x-pem-file"
          disabled={disabled}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown || hint ? `${id}-note` : undefined}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (!file) return;
            void readPemFile(file).then((r) => {
              if (typeof r === 'string') setProblem(r);
              else {
                setProblem(null);
                onChange(r);
              }
            });
          }}
        />
        {value ? (
          <>
            <span className="pem-file-name mono" data-testid="pem-file-name">
              {value.name}
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={disabled}
              onClick={() => onChange(null)}
            >
              Remove
            </button>
          </>
        ) : null}
      </div>
      {shown ? (
        <p className="field-error" id={`${id}-note`}>
          {shown}
        </p>
      ) : hint ? (
        <p className="field-hint" id={`${id}-note`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
