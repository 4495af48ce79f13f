// A frame's payload shown for what it is: JSON as a tree, other text as text, binary and control
// frames as a hex dump, close frames decoded. Everything goes through React's escaping.
import { CloseExplanation } from '../../components/close-explanation';
import { Marked } from '../../components/highlight';
import { HexDump } from '../../components/hex-dump';
import { JsonTree } from '../../components/json-tree';
import type { ResponseOf } from '../../../shared/contract';

export type FrameDetailData = ResponseOf<'sessions', 'frame'>;

/** Bytes of a base64 payload. */
export function decodeBase64(b64: string): Uint8Array {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The payload's bytes, whatever its encoding. */
export function payloadBytes(frame: FrameDetailData): Uint8Array {
  return frame.encoding === 'text' ? new TextEncoder().encode(frame.payload) : decodeBase64(frame.payload);
}

/** The parsed JSON of a text frame that holds an object or array; undefined otherwise. */
export function parseJsonPayload(frame: FrameDetailData): { value: unknown } | undefined {
  if (frame.opcode !== 'text') return undefined;
  const head = frame.payload.trimStart()[0];
  if (head !== '{' && head !== '[') return undefined;
  try {
    return { value: JSON.parse(frame.payload) as unknown };
  } catch {
    return undefined;
  }
}

/** A close frame's status code and reason; code null when the frame carried none. */
export function decodeClose(bytes: Uint8Array): { code: number | null; reason: string } {
  if (bytes.length < 2) return { code: null, reason: '' };
  return { code: (bytes[0]! << 8) | bytes[1]!, reason: new TextDecoder().decode(bytes.subarray(2)) };
}

interface Props {
  frame: FrameDetailData;
  json: { value: unknown } | undefined;
  mode: 'tree' | 'raw';
  bytes: Uint8Array | null;
}

export function PayloadView({ frame, json, mode, bytes }: Props) {
  if (frame.opcode === 'close' && bytes) {
    const close = decodeClose(bytes);
    const by = frame.direction === 'in' ? 'Sent by the server.' : 'Sent by Frameline.';
    if (close.code === null) {
      return (
        <p className="payload-note">
          {by} The close frame carried no status code (observed as 1005 No Status Received): the peer did not
          say why.
        </p>
      );
    }
    return (
      <div className="payload-close">
        <p className="muted">{by}</p>
        <CloseExplanation code={close.code} reason={close.reason || null} />
        <h4 className="detail-subhead">Bytes</h4>
        <HexDump bytes={bytes} />
      </div>
    );
  }
  if (frame.encoding === 'text') {
    if (json && mode === 'tree') return <JsonTree value={json.value} />;
    if (frame.payload.length === 0) return <p className="muted">Empty text frame.</p>;
    return (
      <pre className="payload-raw">
        <Marked text={json && mode === 'raw' ? JSON.stringify(json.value, null, 2) : frame.payload} />
      </pre>
    );
  }
  return <HexDump bytes={bytes ?? new Uint8Array()} />;
}
