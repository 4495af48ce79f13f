// The "?" overlay: every keyboard shortcut, grouped by where it works.
import { useEffect, useRef } from 'react';
import { SHORTCUTS } from './hotkeys';
import { CloseIcon } from './icons';

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => previous?.focus();
  }, []);
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return (
    <div className="overlay" onMouseDown={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-title"
        tabIndex={-1}
        ref={dialog}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === '?') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="dialog-head">
          <h2 id="shortcut-title">Keyboard shortcuts</h2>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        <div className="shortcut-groups">
          {groups.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <dl className="shortcut-list">
                {SHORTCUTS.filter((s) => s.group === g).map((s) => (
                  <div key={s.action} className="shortcut-row">
                    <dt>
                      {s.keys.map((alt, i) => (
                        <span key={alt} className="shortcut-alt">
                          {i > 0 ? <span className="muted"> or </span> : null}
                          {alt.split('+').map((k) => (
                            <kbd key={k}>{k}</kbd>
                          ))}
                        </span>
                      ))}
                    </dt>
                    <dd>{s.action}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        <p className="muted dialog-foot">On macOS, ⌘ works wherever Ctrl is shown.</p>
      </div>
    </div>
  );
}
