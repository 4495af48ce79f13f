// The Prometheus server an incident's query steps ask: shown in one line under the incident's
// header, set or changed in a small form. Its secret is never typed here: the form names the
// environment variable the engine reads the bearer token or the password from when a query runs.
import { useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { Incident } from '../../../shared/contract/incidents';
import { describeServer, type PrometheusServer } from '../../../shared/prometheus';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { Field } from '../../components/field';

type Auth = PrometheusServer['auth'];

export function PrometheusServerLine({
  api,
  incident,
  onSaved,
}: {
  api: Api;
  incident: Incident;
  onSaved: () => void;
}) {
  const server = incident.prometheus;
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState(server?.url ?? '');
  const [auth, setAuth] = useState<Auth>(server?.auth ?? 'none');
  const [username, setUsername] = useState(server?.username ?? '');
  const [secretEnv, setSecretEnv] = useState(server?.secretEnv ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (next: PrometheusServer | null) => {
    setBusy(true);
    setError(null);
    try {
      await api.incidents.update({ id: incident.id, prometheus: next });
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!editing)
    return (
      <p className="prometheus-line muted small" data-testid="prometheus-line">
        Prometheus{' '}
        {server ? <code>{describeServer(server)}</code> : <span>not set: query steps need one</span>}{' '}
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setEditing(true)}>
          {server ? 'Change…' : 'Set…'}
        </button>
      </p>
    );
  return (
    <form
      className="prometheus-form"
      aria-label="Prometheus server"
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return;
        void save({
          url: url.trim(),
          auth,
          username: auth === 'basic' ? username.trim() || null : null,
          secretEnv: auth === 'none' ? null : secretEnv.trim() || null,
        });
      }}
    >
      <div className="field-row">
        <Field
          label="Prometheus URL"
          hint="The server the walk's query steps ask, over the incident's window."
        >
          <input
            className="mono"
            placeholder="http://prometheus:9090"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            spellCheck={false}
          />
        </Field>
        <Field label="Authentication">
          <select value={auth} onChange={(e) => setAuth(e.target.value as Auth)}>
            <option value="none">none</option>
            <option value="bearer">bearer token</option>
            <option value="basic">basic auth</option>
          </select>
        </Field>
      </div>
      {auth !== 'none' ? (
        <div className="field-row">
          {auth === 'basic' ? (
            <Field label="User">
              <input value={username} onChange={(e) => setUsername(e.target.value)} spellCheck={false} />
            </Field>
          ) : null}
          <Field
            label={
              auth === 'bearer' ? 'Token in the environment variable' : 'Password in the environment variable'
            }
            hint="Its name only, one that says PROMETHEUS: the engine reads the value when a query runs, and never stores it."
          >
            <input
              className="mono"
              placeholder="PROMETHEUS_TOKEN"
              value={secretEnv}
              onChange={(e) => setSecretEnv(e.target.value)}
              spellCheck={false}
            />
          </Field>
        </div>
      ) : null}
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <div className="prometheus-actions">
        {server ? (
          <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => void save(null)}>
            Forget it
          </button>
        ) : null}
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy || url.trim() === ''}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
