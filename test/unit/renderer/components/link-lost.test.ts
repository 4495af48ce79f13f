// After `frameline serve` restarts, the URL it prints is opened at the screen the page was on.
import { describe, expect, it } from 'vitest';
import { reopenUrl } from '../../../../renderer/components/link-lost';

describe('reopenUrl', () => {
  it('keeps the route of this page on the new URL', () => {
    expect(reopenUrl('  http://127.0.0.1:8080/?token=abc ', '#/sessions/12')).toBe(
      'http://127.0.0.1:8080/?token=abc#/sessions/12',
    );
  });

  it('replaces a route the pasted URL carried', () => {
    expect(reopenUrl('http://127.0.0.1:9/?token=t#/attach', '#/incidents/3/walks/5')).toBe(
      'http://127.0.0.1:9/?token=t#/incidents/3/walks/5',
    );
  });

  it('refuses what is not an http(s) URL', () => {
    expect(reopenUrl('frameline serve', '#/')).toBeNull();
    expect(reopenUrl('javascript:alert(1)', '#/')).toBeNull();
  });
});
