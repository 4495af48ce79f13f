// The incident timeline's count: "1 entry", not "1 entries".
import { expect, it } from 'vitest';
import { timelineCount } from '../../../../../renderer/features/incidents/incident-timeline';

it('counts entries in the singular for one', () => {
  expect(timelineCount(1)).toBe('1 entry');
  expect(timelineCount(12)).toBe('12 entries');
});
