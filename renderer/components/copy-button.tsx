// A button that copies something worth pasting into a ticket, and says so for a moment.
import { useEffect, useState } from 'react';
import { copyText } from './clipboard';
import { CheckIcon, CopyIcon } from './icons';

export function CopyButton({
  text,
  label = 'Copy',
  title,
  ariaLabel,
}: {
  text: string | (() => string);
  label?: string;
  title?: string;
  /** The button's name for assistive technology when "Copy" alone would not say what is copied. */
  ariaLabel?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-small copy-button is-${state}`}
      title={title ?? label}
      aria-label={ariaLabel}
      onClick={() => {
        void copyText(typeof text === 'function' ? text() : text).then((ok) =>
          setState(ok ? 'copied' : 'failed'),
        );
      }}
    >
      {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      <span>{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy blocked' : label}</span>
    </button>
  );
}
