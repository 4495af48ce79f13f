// What the status line says a live session is doing: a mock serves, it captures nothing.
import { expect, it } from 'vitest';
import { working } from '../../../../renderer/components/status-line';

it('names what each kind of live session does', () => {
  expect(working({ kind: 'mock' })).toBe('Serving mock on');
  expect(working({ kind: 'capture' })).toBe('Capturing');
  expect(working({ kind: 'probe' })).toBe('Probing');
  expect(working({ kind: 'relay' })).toBe('Relaying to');
  expect(working({ kind: 'replay' })).toBe('Replaying to');
});
