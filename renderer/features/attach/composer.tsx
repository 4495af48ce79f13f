// Sending on the open connection: text, JSON (checked, with Format) or binary as hex, Ctrl+Enter to
// send, and the messages sent so far. A message sent while the handshake is still going is queued
// and goes out as soon as the connection opens — never silently dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, PayloadOf } from '../../../shared/contract';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { formatBytes } from '../../components/format';
import { useHotkey } from '../../components/hotkeys';
import { SendIcon } from '../../components/icons';
import { captureStore, useCapture, type CaptureStore, type SentMessage } from './capture-store';
import { checkMessage, formatJson, hexByteCount, type ComposeKind } from './composer-check';
import { MessageHistory } from './message-history';

const KINDS: ReadonlyArray<{ kind: ComposeKind; label: string; placeholder: string }> = [
  { kind: 'text', label: 'Text', placeholder: 'Any text, sent as one text frame' },
  { kind: 'json', label: 'JSON', placeholder: '{"op":"subscribe","channel":"prices"}' },
  { kind: 'binary', label: 'Binary (hex)', placeholder: '01 ff 7a 00' },
];

const selectSent = (s: CaptureStore) => s.sent;

type CaptureState = PayloadOf<'capture:status'>['state'];

interface Outgoing {
  kind: ComposeKind;
  data: string;
}

/**
 * Whether the composer is folded to its head row: as the engineer chose, or by itself ('auto') on a
 * short window while a frame's detail is open (attach.css), so that the detail has room to read.
 */
export type ComposerFold = 'auto' | 'open' | 'folded';

export function Composer({
  api,
  sessionId,
  state,
  fold = 'auto',
  onFold,
}: {
  api: Api;
  sessionId: number;
  state: CaptureState;
  fold?: ComposerFold;
  onFold?: (fold: ComposerFold) => void;
}) {
  const [kind, setKind] = useState<ComposeKind>('json');
  const [data, setData] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  /** Sent before the connection opened: they go out, in order, when it does. */
  const [queued, setQueued] = useState<readonly Outgoing[]>([]);
  const editor = useRef<HTMLTextAreaElement>(null);
  const sent = useCapture(api, selectSent);
  const problem = data ? checkMessage(kind, data) : null;
  const open = state === 'open';
  const waiting = state === 'connecting' || state === 'reconnecting';

  const transmit = useCallback(
    (m: Outgoing) => {
      setSending(true);
      setSendError(null);
      return api.capture
        .send({ sessionId, data: m.data, kind: m.kind === 'binary' ? 'binary' : 'text' })
        .then(
          () => captureStore(api).remember({ kind: m.kind, data: m.data, at: Date.now() }),
          (err: unknown) => setSendError(`Not sent: ${errorMessage(err)}`),
        )
        .finally(() => setSending(false));
    },
    [api, sessionId],
  );

  // The connection opened: what was queued goes out, in order.
  useEffect(() => {
    if (!open || queued.length === 0) return;
    const batch = queued;
    setQueued([]);
    void (async () => {
      for (const m of batch) await transmit(m);
    })();
  }, [open, queued, transmit]);

  const send = useCallback(() => {
    const issue = checkMessage(kind, data);
    if (issue) {
      setSendError(issue);
      return;
    }
    if (waiting) {
      setQueued((q) => [...q, { kind, data }]);
      setSendError(null);
      return;
    }
    if (!open || sending) return;
    void transmit({ kind, data });
  }, [kind, data, open, waiting, sending, transmit]);
  useHotkey('mod+enter', send, { inInputs: true });

  const reuse = (m: SentMessage) => {
    setKind(m.kind);
    setData(m.data);
    setSendError(null);
    editor.current?.focus();
  };

  const footer =
    kind === 'binary'
      ? `${formatBytes(hexByteCount(data))} as binary`
      : `${formatBytes(new TextEncoder().encode(data).length)} as text`;

  return (
    <section className={`composer is-${fold}`} aria-label="Composer">
      <div className="composer-main">
        <div className="composer-head">
          <div className="segmented" role="tablist" aria-label="Send as">
            {KINDS.map((k) => (
              <button
                key={k.kind}
                type="button"
                role="tab"
                aria-selected={kind === k.kind}
                className={kind === k.kind ? 'is-on' : ''}
                onClick={() => {
                  setKind(k.kind);
                  setSendError(null);
                }}
              >
                {k.label}
              </button>
            ))}
          </div>
          {kind === 'json' ? (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => setData(formatJson(data))}
              disabled={!!problem || !data}
            >
              Format
            </button>
          ) : null}
          <span className="spacer" />
          <span className="muted small composer-footer">{footer}</span>
          {onFold ? (
            <>
              <button
                type="button"
                className="btn btn-small btn-ghost composer-hide"
                title="Fold the composer to this row: more room for the frames"
                onClick={() => onFold('folded')}
              >
                Hide
              </button>
              <button
                type="button"
                className="btn btn-small composer-show"
                title="Show the message editor"
                onClick={() => onFold('open')}
              >
                Write a message
              </button>
            </>
          ) : null}
        </div>
        <textarea
          ref={editor}
          className={`composer-editor${problem ? ' has-error' : ''}`}
          aria-label="Message to send"
          aria-invalid={problem ? true : undefined}
          placeholder={
            open || waiting ? KINDS.find((k) => k.kind === kind)!.placeholder : 'Connect to send messages'
          }
          value={data}
          spellCheck={false}
          onChange={(e) => {
            setData(e.target.value);
            setSendError(null);
          }}
        />
        <div className="composer-foot">
          {problem ? (
            <p className="field-error" role="status">
              {problem}
            </p>
          ) : sendError ? (
            <ErrorNote>{sendError}</ErrorNote>
          ) : queued.length > 0 ? (
            <p className="composer-queued small" role="status">
              {queued.length === 1 ? '1 message' : `${queued.length} messages`} queued: sends once the
              connection opens.
            </p>
          ) : (
            <p className="muted small">
              {open
                ? 'Ctrl+Enter sends.'
                : waiting
                  ? 'Still connecting: what you send now goes out once the connection opens.'
                  : 'The connection is closing: messages cannot be sent.'}
            </p>
          )}
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-primary"
            onClick={send}
            disabled={!(open || waiting) || sending || !!problem}
          >
            <SendIcon /> {waiting ? 'Send when open' : 'Send'} <kbd>Ctrl ↵</kbd>
          </button>
        </div>
      </div>
      <MessageHistory sent={sent} onReuse={reuse} />
    </section>
  );
}
