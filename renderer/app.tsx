// The console's shell: navigation on the left, the current screen, the status line, and the
// keyboard shortcuts that work everywhere. Screens are chosen by the URL hash so a reload stays put.
import { useCallback, useEffect, useState } from 'react';
import { getApi } from './api/api';
import { AppNav, type Screen } from './components/app-nav';
import { useHotkey } from './components/hotkeys';
import { LinkLost } from './components/link-lost';
import { go, useHash } from './components/route';
import { ShortcutHelp } from './components/shortcut-help';
import { StatusLine } from './components/status-line';
import { useTheme } from './components/theme';
import { useTimeZoneMode } from './components/time-zone';
import { useEngineLink } from './components/use-engine-link';
import { AttachScreen } from './features/attach/attach-screen';
import { useCapture, type CaptureStore } from './features/attach/capture-store';
import { IncidentsScreen } from './features/incidents/incidents-screen';
import { RelayScreen } from './features/relay/relay-screen';
import { SessionsScreen } from './features/sessions/sessions-screen';

const SCREEN_NAMES: Record<Screen, string> = {
  attach: 'Attach',
  relay: 'Relay',
  sessions: 'Sessions',
  incidents: 'Incidents',
};

function screenOf(hash: string): Screen {
  if (hash.startsWith('#/incidents')) return 'incidents';
  if (hash.startsWith('#/relay')) return 'relay';
  return hash.startsWith('#/sessions') ? 'sessions' : 'attach';
}

const selectLiveCount = (s: CaptureStore) => s.liveCount();

/** True for a text field with nothing typed in it yet: there "?" cannot be meant as text. */
function isEmptyField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement && target.value === '' && target.type !== 'checkbox';
}

export function App() {
  const [api] = useState(getApi);
  const hash = useHash();
  const screen = screenOf(hash);
  const [theme, toggleTheme] = useTheme();
  const [helpOpen, setHelpOpen] = useState(false);
  const liveCaptures = useCapture(api, selectLiveCount);
  const { link, info } = useEngineLink(api);
  // Every time the console shows follows the zone chosen in the status line.
  const zone = useTimeZoneMode();

  const navigate = useCallback((next: Screen) => go(`#/${next}`, { replace: true }), []);

  useHotkey('?', () => setHelpOpen((open) => !open));
  // The URL field has the focus when the console opens: "?" there, before anything is typed, is
  // the shortcut list, not the first character of a URL.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (!isEmptyField(e.target)) return;
      e.preventDefault();
      setHelpOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useHotkey('alt+1', () => navigate('attach'), { inInputs: true });
  useHotkey('alt+2', () => navigate('sessions'), { inInputs: true });
  useHotkey('alt+3', () => navigate('incidents'), { inInputs: true });
  useHotkey('alt+4', () => navigate('relay'), { inInputs: true });
  const showHelp = useCallback(() => setHelpOpen(true), []);

  return (
    <div className="shell">
      <AppNav
        screen={screen}
        onNavigate={navigate}
        theme={theme}
        onToggleTheme={toggleTheme}
        onShowShortcuts={showHelp}
        liveCaptures={liveCaptures}
      />
      <main key={zone} className="screen" aria-label={SCREEN_NAMES[screen]}>
        {link === 'lost' ? <LinkLost dbPath={info?.dbPath ?? null} /> : null}
        {screen === 'attach' ? (
          <AttachScreen api={api} />
        ) : screen === 'relay' ? (
          <RelayScreen api={api} />
        ) : screen === 'sessions' ? (
          <SessionsScreen api={api} />
        ) : (
          <IncidentsScreen api={api} />
        )}
      </main>
      <StatusLine api={api} onShowShortcuts={showHelp} />
      {helpOpen ? <ShortcutHelp onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}
