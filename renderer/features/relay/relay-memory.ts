// The relay form survives a reload: the last mode, upstream, listen address and port and TLS choices,
// in this browser's storage. Certificate and key files are not kept: they are chosen again after one.

const KEY = 'frameline.relay';

/** How clients reach the relay: ws://, wss:// with a leaf of Frameline's local CA, or with their own pair. */
export type ServeTls = 'none' | 'local-ca' | 'own';

export interface RelayDraft {
  /** A relay to one upstream, or a forward HTTP proxy whose clients name their servers. */
  mode: 'relay' | 'proxy';
  /** The upstream URL the client normally connects to. */
  to: string;
  /** A loopback address: from the console a relay listens on this machine only. */
  host: string;
  /** As typed: empty for any free port. */
  port: string;
  serveTls: ServeTls;
  /** Accept any certificate from a wss:// upstream (test endpoints only). */
  insecure: boolean;
}

const DEFAULT_RELAY_DRAFT: RelayDraft = {
  mode: 'relay',
  to: '',
  host: '127.0.0.1',
  port: '',
  serveTls: 'none',
  insecure: false,
};

export function loadRelayDraft(): RelayDraft {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<RelayDraft>;
    return {
      mode: saved.mode === 'proxy' ? 'proxy' : 'relay',
      to: typeof saved.to === 'string' ? saved.to : DEFAULT_RELAY_DRAFT.to,
      host: saved.host === '::1' ? '::1' : DEFAULT_RELAY_DRAFT.host,
      port: typeof saved.port === 'string' ? saved.port : DEFAULT_RELAY_DRAFT.port,
      serveTls: saved.serveTls === 'local-ca' || saved.serveTls === 'own' ? saved.serveTls : 'none',
      insecure: saved.insecure === true,
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
