// When browser mode loses its engine (`frameline serve` stopped, or the network dropped), the page
// cannot simply be reloaded: a new `serve` prints a new token, and the old one gets 401. So it says
// what happened and what to do, and takes the URL the new `serve` printed: opened with this page's
// address after the #, it comes back to the same screen.
import { useState } from 'react';
import { ErrorNote } from './error-note';

/** The console URL to open: the one pasted, with this page's route (the part after #) kept. */
export function reopenUrl(pasted: string, hash: string): string | null {
  let u: URL;
  try {
    u = new URL(pasted.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = hash.startsWith('#') ? hash.slice(1) : hash;
  return u.href;
}

export function LinkLost({ dbPath }: { dbPath: string | null }) {
  const [url, setUrl] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const command = `frameline serve${dbPath ? ` --db ${dbPath}` : ''}`;
  return (
    <div className="link-lost" role="alert">
      <p className="link-lost-title">Frameline lost the link to the engine.</p>
      <p>
        The <code>frameline serve</code> process stopped, or the network between you dropped. Start it again (
        <code>{command}</code>) and paste the URL it prints below: this page opens it at the same screen. Do
        not reload: a new <code>serve</code> has a new token, and this page’s old one would be refused.
      </p>
      <form
        className="link-lost-form"
        onSubmit={(e) => {
          e.preventDefault();
          const next = reopenUrl(url, location.hash);
          if (!next) {
            setProblem(
              `"${url.trim()}" is not the http://… URL that frameline serve prints; copy the whole line it prints`,
            );
            return;
          }
          location.assign(next);
        }}
      >
        <input
          aria-label="New console URL"
          className="mono"
          placeholder="http://127.0.0.1:8080/?token=…"
          value={url}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setUrl(e.target.value);
            setProblem(null);
          }}
        />
        <button type="submit" className="btn btn-primary" disabled={!url.trim()}>
          Open here
        </button>
      </form>
      {problem ? <ErrorNote>{problem}</ErrorNote> : null}
    </div>
  );
}
