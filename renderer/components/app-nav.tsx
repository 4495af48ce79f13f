// The left navigation rail: the screens, then the theme switch and the shortcut list.
import type { ReactNode } from 'react';
import type { Theme } from './theme';
import { IncidentIcon, KeyboardIcon, MoonIcon, PlugIcon, RelayIcon, SessionsIcon, SunIcon } from './icons';

export type Screen = 'attach' | 'relay' | 'sessions' | 'incidents';

const SCREENS: ReadonlyArray<{ id: Screen; label: string; icon: ReactNode; hint: string }> = [
  { id: 'attach', label: 'Attach', icon: <PlugIcon />, hint: 'Attach to a live endpoint (Alt+1)' },
  {
    id: 'relay',
    label: 'Relay',
    icon: <RelayIcon />,
    hint: 'Record a real client through a relay to its server (Alt+4)',
  },
  { id: 'sessions', label: 'Sessions', icon: <SessionsIcon />, hint: 'Recorded sessions (Alt+2)' },
  {
    id: 'incidents',
    label: 'Incidents',
    icon: <IncidentIcon />,
    hint: 'Incidents and runbook walks (Alt+3)',
  },
];

interface Props {
  screen: Screen;
  onNavigate: (screen: Screen) => void;
  theme: Theme;
  onToggleTheme: () => void;
  onShowShortcuts: () => void;
  liveCaptures: number;
}

export function AppNav({ screen, onNavigate, theme, onToggleTheme, onShowShortcuts, liveCaptures }: Props) {
  return (
    <nav className="app-nav" aria-label="Screens">
      <div className="app-logo" aria-label="Frameline" title="Frameline">
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M2 12h4l2-6 4 12 3-9 2 3h5" />
        </svg>
      </div>
      <ul className="app-nav-list">
        {SCREENS.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              className={`app-nav-item ${screen === s.id ? 'is-active' : ''}`}
              aria-current={screen === s.id ? 'page' : undefined}
              title={s.hint}
              onClick={() => onNavigate(s.id)}
            >
              {s.icon}
              <span>{s.label}</span>
              {s.id === 'attach' && liveCaptures > 0 ? (
                <span className="nav-live-dot" aria-label={`${liveCaptures} live`} />
              ) : null}
            </button>
          </li>
        ))}
      </ul>
      <div className="app-nav-foot">
        <button
          type="button"
          className="app-nav-item"
          onClick={onToggleTheme}
          title={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
          aria-label={theme === 'dark' ? 'Light theme' : 'Dark theme'}
        >
          {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
          <span>{theme === 'dark' ? 'Light' : 'Dark'}</span>
        </button>
        <button
          type="button"
          className="app-nav-item"
          onClick={onShowShortcuts}
          title="Keyboard shortcuts (?)"
        >
          <KeyboardIcon />
          <span>Keys</span>
        </button>
      </div>
    </nav>
  );
}
