// Finds text the console shows clipped, measured in the page rather than eyeballed: a box that hides
// what overflows it while its text is wider (or taller) than the box, and text that sticks out of
// the card, panel, row or dialog it belongs to (drawn over a neighbour, or cut at the window's edge).
// Elided on purpose is allowed where the whole text is one hover or click away: an element with a
// `title`, or marked `data-ellipsis` (a frame's preview opens its detail).
import type { Page } from 'playwright-core';

/** One clipped text, said so that the failing test points at it. */
export interface Clip {
  where: string;
  text: string;
  why: string;
}

/** Every clipped text on the page now (empty when the layout holds). */
export function findClippedText(page: Page): Promise<Clip[]> {
  return page.evaluate(() => {
    const out: Array<{ where: string; text: string; why: string }> = [];
    const SLACK = 1.5;
    const describe = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
        const cls = [...e.classList].slice(0, 2).join('.');
        const label = e.getAttribute('aria-label') ?? e.getAttribute('data-testid');
        parts.unshift(`${e.tagName.toLowerCase()}${cls ? `.${cls}` : ''}${label ? `[${label}]` : ''}`);
      }
      return parts.join(' > ');
    };
    const shown = (el: Element): boolean => {
      if (el.closest('[hidden], [aria-hidden="true"], svg, .visually-hidden, .diag-sr')) return false;
      // Folded away: the content of a closed <details> is not on screen.
      const fold = el.closest('details:not([open])');
      if (fold && !el.closest('summary')) return false;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      const st = getComputedStyle(el);
      return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0;
    };
    const allowed = (el: Element): boolean =>
      !!el.closest('[title], [data-ellipsis]') &&
      (el.hasAttribute('title') ||
        el.hasAttribute('data-ellipsis') ||
        // a cell's own text inside an element that carries the whole of it
        (el.closest('[title], [data-ellipsis]')?.textContent ?? '').length >= (el.textContent ?? '').length);
    const ownText = (el: Element): string =>
      [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
    const isScroller = (st: CSSStyleDeclaration) =>
      ['auto', 'scroll'].includes(st.overflowX) || ['auto', 'scroll'].includes(st.overflowY);
    const BOXES =
      'section, aside, article, nav, header, footer, main, dialog, form, li, td, th, button, label, [role=dialog], [role=region], [role=tab], [role=row], .card, .chip';

    const all = [...document.body.querySelectorAll('*')];
    for (const el of all) {
      if (!(el instanceof HTMLElement) || !shown(el)) continue;
      if (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT' || el.tagName === 'SELECT') continue;
      const text = (el.textContent ?? '').trim();
      if (!text) continue;
      const st = getComputedStyle(el);
      // A box that hides its overflow while its text is wider or taller than it.
      const hidesX = st.overflowX === 'hidden' || st.overflowX === 'clip';
      const hidesY = st.overflowY === 'hidden' || st.overflowY === 'clip';
      if (hidesX && el.scrollWidth > el.clientWidth + SLACK && !allowed(el))
        out.push({
          where: describe(el),
          text: text.slice(0, 60),
          why: `cut sideways: ${el.scrollWidth}px of text in ${el.clientWidth}px`,
        });
      else if (hidesY && el.scrollHeight > el.clientHeight + SLACK && !allowed(el))
        out.push({
          where: describe(el),
          text: text.slice(0, 60),
          why: `cut at the bottom: ${el.scrollHeight}px of text in ${el.clientHeight}px`,
        });
      // Text that sticks out of the box it belongs to, or out of the window.
      if (!ownText(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + SLACK || r.left < -SLACK)
        out.push({ where: describe(el), text: text.slice(0, 60), why: 'outside the window' });
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ast = getComputedStyle(a);
        if (isScroller(ast)) break; // inside something that scrolls: reachable, not clipped
        if (!a.matches(BOXES)) continue;
        const b = a.getBoundingClientRect();
        if (r.right > b.right + SLACK || r.left < b.left - SLACK || r.bottom > b.bottom + SLACK) {
          if (!allowed(el))
            out.push({
              where: describe(el),
              text: text.slice(0, 60),
              why: `sticks out of ${describe(a)} by ${Math.round(Math.max(r.right - b.right, b.left - r.left, r.bottom - b.bottom))}px`,
            });
          break;
        }
      }
    }
    // One report per place: the innermost says the most.
    const seen = new Set<string>();
    return out.filter((c) => {
      const key = `${c.where}|${c.why.split(':')[0]}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
}

/** A readable list for an assertion message. */
export function clipsText(clips: readonly Clip[]): string {
  return clips.map((c) => `${c.where} "${c.text}": ${c.why}`).join('\n');
}
