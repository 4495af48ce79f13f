// What an export redacts, as the engineer sets it: on by default (credentials in headers, URLs and
// subprotocols, JWTs, secret-named fields in frames), with their own field names and patterns, or
// off on purpose with a warning that says what that means.
import type { RedactionOptions } from '../../shared/contract/fields';
import { Field, Switch } from './field';

/** Redaction as the export dialogs start: on, nothing added. */
export const DEFAULT_REDACTION: RedactionOptions = { enabled: true, fields: [], patterns: [] };

/** The user's text as options: names split at commas and spaces, one pattern per line. */
export function redactionOf(enabled: boolean, fields: string, patterns: string): RedactionOptions {
  return {
    enabled,
    fields: enabled ? fields.split(/[\s,]+/).filter(Boolean) : [],
    patterns: enabled ? patterns.split('\n').filter((p) => p.trim() !== '') : [],
  };
}

export interface RedactionDraft {
  enabled: boolean;
  fields: string;
  patterns: string;
}

export function RedactionOptionsEditor({
  draft,
  onChange,
  disabled,
}: {
  draft: RedactionDraft;
  onChange: (patch: Partial<RedactionDraft>) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="redaction-options" disabled={disabled}>
      <legend>Redaction</legend>
      <Switch
        checked={draft.enabled}
        onChange={(enabled) => onChange({ enabled })}
        label="Redact secrets (credentials in headers, URLs and subprotocols, JWTs, secret-named fields)"
      />
      {draft.enabled ? (
        <div className="redaction-extra">
          <Field
            label="Also redact these fields"
            hint="JSON fields, headers or parameters: names, comma-separated"
          >
            <input
              value={draft.fields}
              placeholder="accountNumber, email"
              spellCheck={false}
              onChange={(e) => onChange({ fields: e.target.value })}
            />
          </Field>
          <Field
            label="And whatever matches"
            hint="Regular expressions, one per line; they are never printed"
          >
            <textarea
              rows={2}
              value={draft.patterns}
              placeholder={'\\b\\d{4}-\\d{4}-\\d{4}\\b'}
              spellCheck={false}
              onChange={(e) => onChange({ patterns: e.target.value })}
            />
          </Field>
        </div>
      ) : (
        <p className="redaction-off" role="note">
          Redaction off: this export will hold credentials, tokens and whatever the frames carried. Share it
          with care.
        </p>
      )}
    </fieldset>
  );
}
