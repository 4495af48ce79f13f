// How a relay is started, beyond its upstream and listen address: a relay to one upstream or a
// forward proxy, wss:// to clients (with a leaf of Frameline's local CA, or a certificate and key of
// one's own), and the TLS towards a wss:// upstream (a CA to trust, or any certificate) — the flags
// of `frameline relay` (--proxy, --tls, --tls-cert/--tls-key, --ca, --insecure).
import { Switch } from '../../components/field';
import { PemFileField, type PemFile } from '../../components/pem-file-field';
import type { RelayDraft, ServeTls } from './relay-memory';

/** The files chosen in the page (sent as their PEM text, chosen again after a reload). */
export interface RelayFiles {
  tlsCert: PemFile | null;
  tlsKey: PemFile | null;
  upstreamCa: PemFile | null;
}

export const NO_RELAY_FILES: RelayFiles = { tlsCert: null, tlsKey: null, upstreamCa: null };

const SERVE_TLS: ReadonlyArray<[ServeTls, string]> = [
  ['none', 'ws://'],
  ['local-ca', "wss:// (Frameline's CA)"],
  ['own', 'wss:// (my certificate)'],
];

/** Whether the relay talks TLS to its servers: a wss:// upstream, or a proxy's wss:// ones. */
export function upstreamTls(draft: RelayDraft): boolean {
  return draft.mode === 'proxy' || /^\s*wss:/i.test(draft.to);
}

function Choice<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: ReadonlyArray<[T, string]>;
  value: T;
  onChange: (v: T) => void;
}) {
  return (
    <div className="relay-choice">
      <span className="field-label">{label}</span>
      <div className="segmented" role="radiogroup" aria-label={label}>
        {options.map(([v, text]) => (
          <button
            key={v}
            type="button"
            role="radio"
            aria-checked={value === v}
            className={value === v ? 'is-on' : ''}
            onClick={() => onChange(v)}
          >
            {text}
          </button>
        ))}
      </div>
    </div>
  );
}

export function RelayOptions({
  draft,
  files,
  onChange,
  onFiles,
}: {
  draft: RelayDraft;
  files: RelayFiles;
  onChange: (patch: Partial<RelayDraft>) => void;
  onFiles: (patch: Partial<RelayFiles>) => void;
}) {
  const proxy = draft.mode === 'proxy';
  return (
    <fieldset className="relay-options" aria-label="Relay options">
      <div className="relay-options-row">
        <Choice
          label="Mode"
          options={[
            ['relay', 'Relay to an upstream'],
            ['proxy', 'Forward proxy'],
          ]}
          value={draft.mode}
          onChange={(mode) => onChange({ mode })}
        />
        {proxy ? (
          <p className="field-hint relay-options-note">
            Clients set this address as their HTTP proxy and name their servers themselves; wss:// is ended
            with certificates of Frameline&rsquo;s local CA, which they must trust.
          </p>
        ) : (
          <Choice
            label="Clients connect with"
            options={SERVE_TLS}
            value={draft.serveTls}
            onChange={(serveTls) => onChange({ serveTls })}
          />
        )}
        {upstreamTls(draft) ? (
          <Switch
            checked={draft.insecure}
            onChange={(insecure) => onChange({ insecure })}
            label={
              <>
                Accept any upstream certificate{' '}
                <span className="warn-text">(insecure: for test servers only)</span>
              </>
            }
          />
        ) : null}
      </div>
      {(!proxy && draft.serveTls === 'own') || upstreamTls(draft) ? (
        <div className="relay-options-row">
          {!proxy && draft.serveTls === 'own' ? (
            <>
              <PemFileField
                label="Certificate to serve"
                hint="PEM, with its chain"
                value={files.tlsCert}
                onChange={(tlsCert) => onFiles({ tlsCert })}
              />
              <PemFileField label="Its key" value={files.tlsKey} onChange={(tlsKey) => onFiles({ tlsKey })} />
            </>
          ) : null}
          {upstreamTls(draft) ? (
            <PemFileField
              label="Upstream CA certificate"
              hint={`Trusted for the ${proxy ? "servers'" : "upstream's"} certificate instead of the system's CAs`}
              value={files.upstreamCa}
              onChange={(upstreamCa) => onFiles({ upstreamCa })}
            />
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
