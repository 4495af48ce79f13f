// The console's shell: navigation on the left, the current screen, the status line, and the
// keyboard shortcuts that work everywhere. Screens are chosen by the URL hash so a reload stays put.
import { useCallback, useEffect, useState } from 'react';
import { getApi } from './api/api';
import { AppNav, type Screen } from './components/app-nav';
import { useHotkey } from './components/hotkeys';
import { ShortcutHelp } from './components/shortcut-help';
import { StatusLine } from './components/status-line';
import { useTheme } from './components/theme';
import { AttachScreen } from './features/attach/attach-screen';
import { useCapture, type CaptureStore } from './features/attach/capture-store';
import { IncidentsScreen } from './features/incidents/incidents-screen';
import { SessionsScreen } from './features/sessions/sessions-screen';

function screenFromHash(): Screen {
  if (location.hash.startsWith('#/incidents')) return 'incidents';
  return location.hash === '#/sessions' ? 'sessions' : 'attach';
}

const selectLiveCount = (s: CaptureStore) => s.liveCount();

export function App() {
  const [api] = useState(getApi);
  const [screen, setScreen] = useState<Screen>(screenFromHash);
  const [theme, toggleTheme] = useTheme();
  const [helpOpen, setHelpOpen] = useState(false);
  const liveCaptures = useCapture(api, selectLiveCount);

  const navigate = useCallback((next: Screen) => {
    history.replaceState(null, '', `#/${next}`);
    setScreen(next);
  }, []);
  useEffect(() => {
    const onHash = () => setScreen(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useHotkey('?', () => setHelpOpen((open) => !open));
  useHotkey('alt+1', () => navigate('attach'), { inInputs: true });
  useHotkey('alt+2', () => navigate('sessions'), { inInputs: true });
  useHotkey('alt+3', () => navigate('incidents'), { inInputs: true });
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
      <main
        className="screen"
        aria-label={screen === 'attach' ? 'Attach' : screen === 'sessions' ? 'Sessions' : 'Incidents'}
      >
        {screen === 'attach' ? (
          <AttachScreen api={api} />
        ) : screen === 'sessions' ? (
          <SessionsScreen api={api} />
        ) : (
          <IncidentsScreen api={api} />
        )}
      </main>
      <StatusLine api={api} liveCaptures={liveCaptures} onShowShortcuts={showHelp} />
      {helpOpen ? <ShortcutHelp onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}
