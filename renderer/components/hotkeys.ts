// Keyboard shortcuts: one window listener per registration, matched on KeyboardEvent.key so that
// layouts without a US keyboard still work. "mod" is Ctrl, or ⌘ on macOS.
import { useEffect, useRef } from 'react';

export interface HotkeyOptions {
  /** Fire even while the user types in an input, textarea or select (for Ctrl/⌘ combinations). */
  inInputs?: boolean;
  enabled?: boolean;
}

/** True when the event comes from somewhere the user types text. */
export function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range'].includes(type);
}

function matches(combo: string, e: KeyboardEvent): boolean {
  const parts = combo.toLowerCase().split('+');
  const key = parts.pop()!;
  const mod = parts.includes('mod');
  const wantCtrl = parts.includes('ctrl') || mod;
  const wantAlt = parts.includes('alt');
  const ctrl = e.ctrlKey || e.metaKey;
  if (ctrl !== wantCtrl || e.altKey !== wantAlt) return false;
  const pressed = e.key.toLowerCase();
  // "?" and "/" come with or without Shift depending on the layout; letters are case-insensitive
  // except where the combination says "shift".
  if (parts.includes('shift') && !e.shiftKey) return false;
  if (key === 'esc') return pressed === 'escape';
  if (key === 'enter') return pressed === 'enter';
  if (key === 'up' || key === 'down') return pressed === `arrow${key}`;
  if (key === 'space') return pressed === ' ';
  if (key.length === 1 && /[a-z]/.test(key) && !parts.includes('shift') && e.shiftKey) return false;
  return pressed === key;
}

/** Calls `handler` when `combo` (such as "mod+k", "/", "j", "esc", "alt+1") is pressed. */
export function useHotkey(
  combo: string | string[],
  handler: (e: KeyboardEvent) => void,
  options: HotkeyOptions = {},
) {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  const combos = Array.isArray(combo) ? combo.join('|') : combo;
  const { inInputs = false, enabled = true } = options;
  useEffect(() => {
    if (!enabled) return;
    const list = combos.split('|');
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (!inInputs && isEditableTarget(e.target)) return;
      if (!list.some((c) => matches(c, e))) return;
      e.preventDefault();
      handlerRef.current(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [combos, inInputs, enabled]);
}

/** Every shortcut, for the "?" list: alternatives, each a "+"-joined combination. Kept beside the hook so that the two are edited together. */
export const SHORTCUTS: ReadonlyArray<{ group: string; keys: string[]; action: string }> = [
  { group: 'Anywhere', keys: ['?'], action: 'Show this list' },
  { group: 'Anywhere', keys: ['Alt+1'], action: 'Go to Attach' },
  { group: 'Anywhere', keys: ['Alt+2'], action: 'Go to Sessions' },
  { group: 'Anywhere', keys: ['Alt+3'], action: 'Go to Incidents' },
  { group: 'Anywhere', keys: ['Alt+4'], action: 'Go to Relay' },
  { group: 'Anywhere', keys: ['Esc'], action: 'Close the frame detail or this list' },
  { group: 'Attach', keys: ['Ctrl+K'], action: 'Focus the URL' },
  { group: 'Attach', keys: ['Enter'], action: 'Connect (in the URL field)' },
  { group: 'Attach', keys: ['Ctrl+Enter'], action: 'Send the message in the composer' },
  { group: 'Attach', keys: ['Ctrl+D'], action: 'Disconnect (clean 1000 close)' },
  { group: 'Frames', keys: ['/'], action: 'Search frames' },
  { group: 'Frames', keys: ['J', '↓'], action: 'Next frame' },
  { group: 'Frames', keys: ['K', '↑'], action: 'Previous frame' },
  { group: 'Frames', keys: ['Home'], action: 'First frame' },
  { group: 'Frames', keys: ['End'], action: 'Last frame, and follow new ones' },
  { group: 'Frames', keys: ['T'], action: 'Relative or absolute time' },
  { group: 'Walk', keys: ['1–9'], action: 'Take the way on with this number' },
  { group: 'Walk', keys: ['B'], action: 'Go back one node' },
  { group: 'Walk', keys: ['R'], action: 'Run the next step not done (a command after its confirmation)' },
];
