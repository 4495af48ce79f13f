// A form draft's text fields: each input shows one field of the draft and patches it as it is typed.
import type { InputHTMLAttributes } from 'react';

type NumberMode = { inputMode?: 'decimal' | 'numeric' };

/** Makes `input(field, placeholder)` for the text fields of `draft`; `attrs` go on every input. */
export function draftInput<D>(
  draft: D,
  onChange: (patch: Partial<D>) => void,
  attrs: Pick<InputHTMLAttributes<HTMLInputElement>, 'disabled' | 'autoComplete'> = {},
) {
  return (field: keyof D, placeholder: string, extra: NumberMode = {}) => (
    <input
      value={draft[field] as string}
      placeholder={placeholder}
      spellCheck={false}
      onChange={(e) => onChange({ [field]: e.target.value } as Partial<D>)}
      {...attrs}
      {...extra}
    />
  );
}
