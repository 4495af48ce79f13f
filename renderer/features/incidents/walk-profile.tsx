// A walk's connection profile in the console: the headers, subprotocols, protocol, messages on open
// and TLS its captures, probes and relays connect with — the Attach screen's fields, turned into a
// request by the Attach screen's own code. Secrets are kept as the Attach screen keeps them: out of
// the page's storage; the engine holds their values in memory and never sends them back ("***"), so
// a secret left empty keeps the value the engine holds.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { WalkView } from '../../../shared/contract/incidents';
import type { ConnectionProfile, WalkProfileView } from '../../../shared/contract/walk-profile';
import { describeProfile } from '../../../shared/contract/walk-profile';
import { PROTOCOL_NAMES, type ProtocolChoice } from '../../../shared/protocols/names';
import { isSecretName, MASK } from '../../../shared/redaction';
import { draftInput } from '../../components/draft-input';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { Field, Switch } from '../../components/field';
import { ModalDialog } from '../../components/modal-dialog';
import { PemFileField } from '../../components/pem-file-field';
import { DEFAULT_DRAFT, toCaptureRequest, type AttachDraft, type DraftErrors } from '../attach/attach-draft';
import { RequestHeadersField } from '../attach/headers-editor';

/** The Attach fields a walk's profile has. */
export type ProfileDraft = Pick<
  AttachDraft,
  | 'headers'
  | 'origin'
  | 'subprotocols'
  | 'protocol'
  | 'initPayload'
  | 'subscribe'
  | 'sends'
  | 'script'
  | 'ca'
  | 'insecure'
> & {
  /** The engine has an init payload for the walk (a secret, never shown): left empty, it is kept. */
  initPayloadKept: boolean;
};

export const EMPTY_PROFILE: ProfileDraft = {
  headers: [],
  origin: '',
  subprotocols: '',
  protocol: '',
  initPayload: '',
  subscribe: '',
  sends: '',
  script: '',
  ca: null,
  insecure: false,
  initPayloadKept: false,
};

let nextRow = 1_000_000;

/** The form for a walk's profile as the engine shows it (secret values empty, marked kept or not). */
export function draftOfProfile(view: WalkProfileView | null): ProfileDraft {
  if (!view) return EMPTY_PROFILE;
  const p = view.profile;
  const held = new Map(view.secrets.map((s) => [s.slot, s.held]));
  return {
    headers: p.headers.map(([name, value]) => {
      const secret = held.get(`header:${name.toLowerCase()}`);
      return secret === undefined
        ? { id: nextRow++, name, value }
        : { id: nextRow++, name, value: '', ...(secret ? { valueKept: true } : { valueNotKept: true }) };
    }),
    origin: p.origin ?? '',
    subprotocols: p.subprotocols.join(', '),
    protocol: p.protocol ?? '',
    initPayload: '',
    initPayloadKept: p.initPayload !== undefined,
    subscribe: p.subscribe.join('\n'),
    sends: p.sends.join('\n'),
    script: p.script ?? '',
    ca: p.caPem !== undefined ? { name: p.pemFiles?.ca ?? 'CA certificate', text: p.caPem } : null,
    insecure: p.insecure,
  };
}

/**
 * The profile a form gives, through the Attach screen's checks; a secret left empty that the engine
 * has is sent as "***" (keep it). Null with the errors when something cannot be sent.
 */
export function profileOfDraft(d: ProfileDraft): { profile: ConnectionProfile | null; errors: DraftErrors } {
  const kept = (h: ProfileDraft['headers'][number]) =>
    (h.valueKept || h.valueNotKept) && h.value === '' && isSecretName(h.name);
  const { request, errors } = toCaptureRequest({
    ...DEFAULT_DRAFT,
    ...d,
    // The walk's target is checked when the walk starts; here only how to connect.
    url: 'ws://walk.profile/',
    headers: d.headers.map((h) => (kept(h) ? { id: h.id, name: h.name, value: MASK } : h)),
  });
  if (!request) return { profile: null, errors };
  const initPayload = request.initPayload ?? (d.initPayloadKept ? MASK : undefined);
  return {
    profile: {
      headers: request.headers ?? [],
      subprotocols: request.subprotocols ?? [],
      subscribe: request.subscribe ?? [],
      sends: request.sends ?? [],
      insecure: request.insecure ?? false,
      ...(request.origin !== undefined ? { origin: request.origin } : {}),
      ...(request.protocol !== undefined ? { protocol: request.protocol } : {}),
      ...(initPayload !== undefined ? { initPayload } : {}),
      ...(request.script !== undefined ? { script: request.script } : {}),
      ...(request.caPem !== undefined ? { caPem: request.caPem } : {}),
    },
    errors,
  };
}

/** The profile's fields: handshake, protocol and messages on open, TLS. */
export function ProfileFields({
  draft,
  errors,
  disabled,
  onChange,
}: {
  draft: ProfileDraft;
  errors: DraftErrors;
  disabled: boolean;
  onChange: (patch: Partial<ProfileDraft>) => void;
}) {
  const text = draftInput(draft, onChange, { disabled });
  const secrets = draft.headers.some((h) => isSecretName(h.name));
  return (
    <div className="walk-profile-fields">
      <RequestHeadersField
        headers={draft.headers}
        onChange={(headers) => onChange({ headers })}
        disabled={disabled}
        error={errors.headers}
        {...(secrets
          ? {
              hint: 'Secret values (Authorization, cookies, tokens) are never stored: the engine holds them while it runs. Left empty, a kept one stays.',
            }
          : {})}
      />
      <div className="field-row">
        <Field label="Origin" hint="Sent as the Origin header.">
          {text('origin', 'https://app.example.com')}
        </Field>
        <Field label="Subprotocols" hint="Offered in order, comma-separated.">
          {text('subprotocols', 'graphql-transport-ws, v2')}
        </Field>
      </div>
      <div className="field-row">
        <Field label="Protocol" error={errors.protocol}>
          <select
            value={draft.protocol}
            disabled={disabled}
            onChange={(e) => onChange({ protocol: e.target.value as ProtocolChoice | '' })}
          >
            <option value="">From the URL or the subprotocol</option>
            {PROTOCOL_NAMES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
            <option value="none">None (a plain socket)</option>
          </select>
        </Field>
        <Field
          label="Init payload (JSON)"
          error={errors.initPayload}
          hint={
            draft.initPayloadKept
              ? 'Kept by the engine (a secret, not shown): left empty it stays.'
              : 'graphql-ws’s connection_init payload, Socket.IO’s auth. A secret: never stored.'
          }
        >
          {text('initPayload', draft.initPayloadKept ? 'kept: type to replace' : '{"token":"…"}')}
        </Field>
      </div>
      <div className="field-row">
        <Field
          label="Subscribe"
          error={errors.subscribe}
          hint="One a line: a GraphQL subscription, a Socket.IO namespace."
        >
          <textarea
            className="mono options-sends"
            rows={2}
            value={draft.subscribe}
            placeholder="subscription { prices { symbol last } }"
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => onChange({ subscribe: e.target.value })}
          />
        </Field>
        <Field
          label="Send on open"
          error={errors.sends}
          hint="One message a line, sent by a capture once it is open."
        >
          <textarea
            className="mono options-sends"
            rows={2}
            value={draft.sends}
            placeholder={'{"op":"subscribe","channel":"prices"}'}
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => onChange({ sends: e.target.value })}
          />
        </Field>
      </div>
      <Field
        label="Conversation script"
        error={errors.script}
        hint="Run by a capture after the messages on open (send, expect, sleep, ping, close)."
      >
        <textarea
          className="mono options-sends"
          rows={2}
          value={draft.script}
          placeholder={'send {"op":"hello"}\nexpect {"type":"ack"} 5s'}
          spellCheck={false}
          disabled={disabled}
          onChange={(e) => onChange({ script: e.target.value })}
        />
      </Field>
      <div className="field-row">
        <PemFileField
          label="CA certificate"
          value={draft.ca}
          error={errors.ca}
          disabled={disabled}
          onChange={(ca) => onChange({ ca })}
        />
        <Switch
          checked={draft.insecure}
          disabled={disabled}
          onChange={(insecure) => onChange({ insecure })}
          label={
            <>
              Accept any certificate <span className="warn-text">(insecure)</span>
            </>
          }
        />
      </div>
    </div>
  );
}

/** The profile in the walk's line: what it sends, which secrets the engine lacks, and the editor. */
export function WalkProfileLine({
  api,
  walk,
  onSaved,
}: {
  api: Api;
  walk: WalkView;
  onSaved: (w: WalkView) => void;
}) {
  const [editing, setEditing] = useState(false);
  const missing = walk.profile?.secrets.filter((s) => !s.held) ?? [];
  return (
    <span className="walk-profile-line" data-testid="walk-profile">
      {walk.profile ? ` · connects with ${describeProfile(walk.profile.profile)}` : null}
      {missing.length ? (
        <span className="warn-text">
          {' '}
          ({missing.map((s) => s.what).join(', ')} not held by the engine: type{' '}
          {missing.length === 1 ? 'it' : 'them'} again, or set {missing.map((s) => s.env).join(', ')} where it
          runs)
        </span>
      ) : null}{' '}
      <button type="button" className="btn btn-ghost btn-small" onClick={() => setEditing(true)}>
        Connection profile…
      </button>
      {editing ? (
        <ProfileDialog
          api={api}
          walk={walk}
          onClose={() => setEditing(false)}
          onSaved={(w) => {
            setEditing(false);
            onSaved(w);
          }}
        />
      ) : null}
    </span>
  );
}

function ProfileDialog({
  api,
  walk,
  onClose,
  onSaved,
}: {
  api: Api;
  walk: WalkView;
  onClose: () => void;
  onSaved: (w: WalkView) => void;
}) {
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOfProfile(walk.profile));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const { profile, errors } = profileOfDraft(draft);
    setErrors(errors);
    if (!profile) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.walks.profile({ id: walk.id, profile }));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <ModalDialog
      className="walk-profile-dialog"
      labelledBy="walk-profile-title"
      onCancel={() => {
        if (!busy) onClose();
      }}
    >
      <h2 id="walk-profile-title">Connection profile of walk {walk.id}</h2>
      <p className="muted small">
        Every capture, probe and relay of this walk connects with it; a step, or a run, may add its own.
      </p>
      <ProfileFields
        draft={draft}
        errors={errors}
        disabled={busy}
        onChange={(p) => setDraft((d) => ({ ...d, ...p }))}
      />
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <div className="confirm-dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={busy}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </ModalDialog>
  );
}
