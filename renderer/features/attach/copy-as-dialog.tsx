// "Copy as…": the attach form as wscat, websocat and curl commands, to reproduce the connection from
// a terminal or paste into a ticket. The messages sent on open are not part of them.
import { useId } from 'react';
import { CopyButton } from '../../components/copy-button';
import type { AttachDraft } from './attach-draft';
import { commandFor, type Tool } from './copy-as';
import { ModalDialog } from '../../components/modal-dialog';

const TOOLS: ReadonlyArray<{ tool: Tool; what: string }> = [
  { tool: 'wscat', what: 'an interactive session' },
  { tool: 'websocat', what: 'an interactive session, or one for scripts' },
  { tool: 'curl', what: 'the upgrade and its answer, headers included' },
];

export function CopyAsDialog({ draft, onClose }: { draft: AttachDraft; onClose: () => void }) {
  const id = useId();
  return (
    <ModalDialog className="copy-as-dialog" labelledBy={`${id}-title`} onCancel={onClose}>
      <header className="dialog-head">
        <h2 id={`${id}-title`}>Copy as a command</h2>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          Close
        </button>
      </header>
      {draft.url.trim() ? (
        <>
          {TOOLS.map(({ tool, what }) => {
            const command = commandFor(tool, draft);
            return (
              <section key={tool} className="copy-as-tool" data-tool={tool} aria-label={tool}>
                <div className="copy-as-head">
                  <strong>{tool}</strong>
                  <span className="muted small">{what}</span>
                  <span className="spacer" />
                  <CopyButton text={command} label="Copy" ariaLabel={`Copy the ${tool} command`} />
                </div>
                <pre className="copy-as-code mono">{command}</pre>
              </section>
            );
          })}
          <p className="muted small">
            Headers, Origin, subprotocols and TLS options are included; messages sent on open are not — paste
            them once connected.
          </p>
        </>
      ) : (
        <p className="muted">Type the endpoint’s URL first.</p>
      )}
    </ModalDialog>
  );
}
