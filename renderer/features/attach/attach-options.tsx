// Everything about how to connect, beyond the URL: handshake, TLS and proxy, heartbeat and
// reconnect. The same options as `frameline capture`.
import { draftInput } from '../../components/draft-input';
import { Field, Switch } from '../../components/field';
import { PemFileField } from '../../components/pem-file-field';
import { PROTOCOL_NAMES, type ProtocolChoice } from '../../../shared/protocols/names';
import type { AttachDraft, DraftErrors } from './attach-draft';
import { isSecretHeader } from './attach-memory';
import { RequestHeadersField } from './headers-editor';

interface Props {
  draft: AttachDraft;
  errors: DraftErrors;
  disabled: boolean;
  onChange: (patch: Partial<AttachDraft>) => void;
}

export function AttachOptions({ draft, errors, disabled, onChange }: Props) {
  const text = draftInput(draft, onChange, { disabled });
  return (
    <div className="attach-options" id="attach-options">
      <fieldset className="options-group" disabled={disabled}>
        <legend>Handshake</legend>
        <RequestHeadersField
          headers={draft.headers}
          onChange={(headers) => onChange({ headers })}
          disabled={disabled}
          error={errors.headers}
          {...(draft.headers.some((h) => isSecretHeader(h.name))
            ? {
                hint: 'Secret header values are not kept across reloads (they stay out of this browser’s storage): type them again after one.',
              }
            : {})}
        />
        <div className="field-row">
          <Field label="Origin" hint="Sent as the Origin header; servers often check it.">
            {text('origin', 'https://app.example.com')}
          </Field>
          <Field label="Subprotocols" hint="Offered in order, comma-separated.">
            {text('subprotocols', 'graphql-transport-ws, v2')}
          </Field>
        </div>
        <Switch
          checked={draft.compression}
          disabled={disabled}
          onChange={(compression) => onChange({ compression })}
          label="Offer permessage-deflate compression"
        />
        <Field label="Session name" hint="Shown in Sessions; defaults to host and path.">
          {text('name', 'prices gateway, 3 AM drop')}
        </Field>
      </fieldset>

      <fieldset className="options-group" disabled={disabled}>
        <legend>TLS and proxy</legend>
        <p className="field-hint">
          Files are read here and sent as their PEM text (at most 1 MiB each); they are chosen again after a
          reload.
        </p>
        <PemFileField
          label="CA certificate"
          value={draft.ca}
          error={errors.ca}
          disabled={disabled}
          onChange={(ca) => onChange({ ca })}
        />
        <div className="field-row">
          <PemFileField
            label="Client certificate"
            value={draft.cert}
            error={errors.cert}
            disabled={disabled}
            onChange={(cert) => onChange({ cert })}
          />
          <PemFileField
            label="Client key"
            value={draft.key}
            error={errors.key}
            disabled={disabled}
            onChange={(key) => onChange({ key })}
          />
        </div>
        <Switch
          checked={draft.insecure}
          disabled={disabled}
          onChange={(insecure) => onChange({ insecure })}
          label={
            <>
              Accept any certificate <span className="warn-text">(insecure: for test endpoints only)</span>
            </>
          }
        />
        <div className="field">
          <span className="field-label">Proxy</span>
          <div className="segmented" role="radiogroup" aria-label="Proxy">
            {(['environment', 'none', 'url'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                role="radio"
                aria-checked={draft.proxyMode === mode}
                className={draft.proxyMode === mode ? 'is-on' : ''}
                disabled={disabled}
                onClick={() => onChange({ proxyMode: mode })}
              >
                {mode === 'environment' ? 'From environment' : mode === 'none' ? 'None' : 'HTTP proxy'}
              </button>
            ))}
          </div>
          {draft.proxyMode === 'url' ? (
            <Field label="Proxy URL" error={errors.proxyUrl}>
              {text('proxyUrl', 'http://proxy.internal:3128')}
            </Field>
          ) : (
            <p className="field-hint">
              {draft.proxyMode === 'environment'
                ? 'HTTPS_PROXY (wss), HTTP_PROXY (ws), ALL_PROXY and NO_PROXY apply.'
                : 'Connect directly.'}
            </p>
          )}
        </div>
        <div className="field-row">
          <Field label="Connect timeout (s)" error={errors.connectTimeoutS} hint="TCP + TLS + upgrade.">
            {text('connectTimeoutS', '10', { inputMode: 'decimal' })}
          </Field>
          <Field
            label="Stored per frame (KiB)"
            error={errors.payloadCapKiB}
            hint="Longer payloads are kept truncated."
          >
            {text('payloadCapKiB', '1024', { inputMode: 'numeric' })}
          </Field>
        </div>
      </fieldset>

      <fieldset className="options-group" disabled={disabled}>
        <legend>Protocol</legend>
        <Field
          label="Protocol"
          error={errors.protocol}
          hint="Frameline opens it before sending anything (Socket.IO’s namespace connect, graphql-ws’s connection_init) and answers its heartbeats."
        >
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
          hint="graphql-ws’s connection_init payload, Socket.IO’s auth. Not kept across reloads: it often holds a token."
        >
          {text('initPayload', '{"token":"…"}')}
        </Field>
        <Field
          label="Subscribe"
          error={errors.subscribe}
          hint="One a line: a GraphQL subscription document, or a Socket.IO namespace such as /chat (Socket.IO events arrive without subscribing)."
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
      </fieldset>

      <fieldset className="options-group" disabled={disabled}>
        <legend>Messages on open</legend>
        <Field
          label="Send on open"
          error={errors.sends}
          hint="One message a line, sent in order when the connection (and its protocol) opens — and again on every reconnect."
        >
          <textarea
            className="mono options-sends"
            rows={3}
            value={draft.sends}
            placeholder={'{"op":"subscribe","channel":"prices"}'}
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => onChange({ sends: e.target.value })}
          />
        </Field>
        <Field
          label="Send again every (s)"
          error={errors.sendEveryS}
          hint="Empty: once per connection. Some servers want a subscription renewed."
        >
          {text('sendEveryS', 'once', { inputMode: 'decimal' })}
        </Field>
        <Field
          label="Conversation script"
          error={errors.script}
          hint="One step a line, run after the messages on open: send TEXT, expect /regex/ or {JSON subset} with a timeout (expect /welcome/ 5s), sleep 500ms, ping, close 1000 done; # comments. An expect that times out ends the capture."
        >
          <textarea
            className="mono options-sends"
            rows={4}
            value={draft.script}
            placeholder={'send {"op":"hello"}\nexpect {"type":"ack"} 5s'}
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => onChange({ script: e.target.value })}
          />
        </Field>
      </fieldset>

      <fieldset className="options-group" disabled={disabled}>
        <legend>Heartbeat and reconnect</legend>
        <Field
          label="Ping every (s)"
          error={errors.pingIntervalS}
          hint="Empty: no heartbeat. Each pong gives the round trip."
        >
          {text('pingIntervalS', 'off', { inputMode: 'decimal' })}
        </Field>
        <Switch
          checked={draft.reconnect}
          disabled={disabled}
          onChange={(reconnect) => onChange({ reconnect })}
          label="Reconnect with exponential backoff and jitter"
        />
        <fieldset className="field-grid" disabled={disabled || !draft.reconnect}>
          <Field label="First delay (ms)" error={errors.reconnectBaseMs}>
            {text('reconnectBaseMs', '500', { inputMode: 'numeric' })}
          </Field>
          <Field label="Longest delay (ms)" error={errors.reconnectMaxMs}>
            {text('reconnectMaxMs', '30000', { inputMode: 'numeric' })}
          </Field>
          <Field label="Factor" error={errors.reconnectFactor}>
            {text('reconnectFactor', '2', { inputMode: 'decimal' })}
          </Field>
          <Field label="Jitter (0–1)" error={errors.reconnectJitter}>
            {text('reconnectJitter', '0.2', { inputMode: 'decimal' })}
          </Field>
          <Field
            label="Attempts"
            error={errors.reconnectAttempts}
            hint="Consecutive failures before giving up."
          >
            {text('reconnectAttempts', '10', { inputMode: 'numeric' })}
          </Field>
        </fieldset>
      </fieldset>
    </div>
  );
}
