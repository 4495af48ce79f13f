// The relay form survives a reload: the last upstream, listen address and port, in this browser's storage.

const KEY = 'frameline.relay';

export interface RelayDraft {
  /** The upstream URL the client normally connects to. */
  to: string;
  /** A loopback address: from the console a relay listens on this machine only. */
  host: string;
  /** As typed: empty for any free port. */
  port: string;
}

const DEFAULT_RELAY_DRAFT: RelayDraft = { to: '', host: '127.0.0.1', port: '' };

export function loadRelayDraft(): RelayDraft {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<RelayDraft>;
    return {
      to: typeof saved.to === 'string' ? saved.to : DEFAULT_RELAY_DRAFT.to,
      host: saved.host === '::1' ? '::1' : DEFAULT_RELAY_DRAFT.host,
      port: typeof saved.port === 'string' ? saved.port : DEFAULT_RELAY_DRAFT.port,
    };
  } catch {
    return DEFAULT_RELAY_DRAFT;
  }
}

export function saveRelayDraft(d: RelayDraft): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(d));
  } catch {
    // storage refused (a private window, a full quota): the form still works for this visit
  }
}
