// Dark by default (it is 3 AM); the choice is remembered in localStorage and applied as
// data-theme on <html>, where the CSS variables live.
import { useCallback, useState } from 'react';

export type Theme = 'dark' | 'light';
const KEY = 'frameline.theme';

/** The remembered theme, dark when none was chosen or storage is unavailable. */
export function storedTheme(): Theme {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

/** Applies a theme to the document. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const toggle = useCallback(() => {
    setTheme((current) => {
      const next: Theme = current === 'dark' ? 'light' : 'dark';
      applyTheme(next);
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // Private windows may refuse storage: the theme still applies for this visit.
      }
      return next;
    });
  }, []);
  return [theme, toggle];
}
