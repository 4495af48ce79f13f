// The attach form survives a reload: the last URL and options are kept in this browser's storage.
// Secrets are not: the values of headers that carry credentials (Authorization, Cookie, API keys,
// tokens) are left empty, to be typed again — storage is not a keychain. Such a row remembers that its
// value was left out, so that a connect asks for it instead of sending the header empty. Certificate
// and key files are chosen again, and a protocol's init payload (it often carries a token) typed again.
import { DEFAULT_DRAFT, type AttachDraft } from './attach-draft';

const KEY = 'frameline.attach';

/** A header whose value is a credential. */
export function isSecretHeader(name: string): boolean {
  return /^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret|password|session|auth/i.test(
    name.trim(),
  );
}

/**
 * The draft as stored: everything but the secret header values, whose rows say they were left out,
 * and the TLS files.
 */
export function storableDraft(d: AttachDraft): AttachDraft {
  return {
    ...d,
    headers: d.headers.map((h) => {
      if (!isSecretHeader(h.name)) return { id: h.id, name: h.name, value: h.value };
      const notKept = h.value !== '' || h.valueNotKept === true;
      return { id: h.id, name: h.name, value: '', ...(notKept ? { valueNotKept: true } : {}) };
    }),
    initPayload: '',
    ca: null,
    cert: null,
    key: null,
  };
}

/** True when some header value would not be kept. */
export function dropsSecrets(d: AttachDraft): boolean {
  return d.headers.some((h) => isSecretHeader(h.name) && h.value !== '');
}

export function saveDraft(d: AttachDraft): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(storableDraft(d)));
  } catch {
    // storage refused (a private window, a full quota): the form still works for this visit
  }
}

/** The last draft, or the defaults; header rows get ids of their own (below the editor's). */
export function loadDraft(): AttachDraft {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULT_DRAFT;
    const saved = JSON.parse(raw) as Partial<AttachDraft>;
    const draft: AttachDraft = { ...DEFAULT_DRAFT };
    for (const key of Object.keys(DEFAULT_DRAFT) as Array<keyof AttachDraft>) {
      const v = saved[key];
      if (v !== undefined && typeof v === typeof DEFAULT_DRAFT[key])
        (draft as unknown as Record<string, unknown>)[key] = v;
    }
    // Files are chosen again after a reload (a private key is never stored).
    draft.ca = draft.cert = draft.key = null;
    draft.headers = Array.isArray(saved.headers)
      ? saved.headers
          .filter((h) => h && typeof h.name === 'string' && typeof h.value === 'string')
          .map((h, i) => ({
            id: -1 - i,
            name: h.name,
            value: h.value,
            ...(h.valueNotKept === true && h.value === '' ? { valueNotKept: true } : {}),
          }))
      : [];
    return draft;
  } catch {
    return DEFAULT_DRAFT;
  }
}
