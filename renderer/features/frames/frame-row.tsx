// One row of the frame list. Memoised: at 50,000 frames/s only rows whose data changed re-render.
import { memo } from 'react';
import { describeCloseCode } from '../../../shared/close-codes';
import { formatMicros } from '../../../shared/time';
import { messageLabel } from '../../../shared/protocols/message-filter';
import { formatBytes, formatRelative, formatTimeOfDay } from '../../components/format';
import { Highlighted } from '../../components/highlight';
import { DirectionMark, OpcodeBadge } from './frame-badges';
import type { FrameRow } from './frame-pages';

export type TimeMode = 'relative' | 'absolute';

/** The preview column: text as one line, close frames decoded, empty control frames said so, damaged frames said so. */
export function previewText(row: FrameRow): string {
  if (row.damaged) return `Damaged — ${row.damage ?? 'the stored bytes failed their check'}`;
  if (row.opcode === 'close') {
    const match = /^(\d+) ?([\s\S]*)$/.exec(row.preview);
    if (!match) return row.size === 0 ? 'no status code' : row.preview;
    const code = Number(match[1]);
    return `${code} ${describeCloseCode(code).name}${match[2] ? ` "${match[2]}"` : ''}`;
  }
  if (row.size === 0) return row.opcode === 'text' ? '(empty text)' : '(no payload)';
  return row.opcode === 'text' ? row.preview.replace(/\r?\n/g, ' ↵ ') : row.preview;
}

/** The Message column: the decoded message's type and what it names (`EVENT chat`); empty without one. */
function MessageCell({ message }: { message: FrameRow['message'] }) {
  if (!message) return <span role="gridcell" className="cell-message" />;
  const label = messageLabel(message);
  const malformed = message.type === 'malformed';
  return (
    <span
      role="gridcell"
      className={`cell-message${malformed ? ' is-malformed' : ''}`}
      title={`${message.protocol}: ${label}${message.reason ? ` — ${message.reason}` : ''}`}
    >
      <b>{message.type}</b>
      {label.length > message.type.length ? label.slice(message.type.length) : ''}
    </span>
  );
}

interface Props {
  index: number;
  row: FrameRow | undefined;
  selected: boolean;
  timeMode: TimeMode;
  firstTs: number | null;
  onSelect: (index: number, seq: number) => void;
  /** "#2": the connection the frame came on. */
  connection: string;
  /** The ordinal of the connection this row starts (after a drop), or null. */
  startsConnection: number | null;
  /** How the connection before it ended, for the marker's tooltip. */
  drop: string | null;
  highlight: RegExp | null;
  /** The list has a Message column (some connection speaks a protocol). */
  messages: boolean;
}

export const FrameRowView = memo(function FrameRowView({
  index,
  row,
  selected,
  timeMode,
  firstTs,
  onSelect,
  connection,
  startsConnection,
  drop,
  highlight,
  messages,
}: Props) {
  if (!row) {
    return (
      <div role="row" aria-rowindex={index + 1} className="frame-row is-loading">
        <span role="gridcell" className="cell-seq" />
        <span role="gridcell" className="cell-preview">
          <span className="skeleton" />
        </span>
      </div>
    );
  }
  const time =
    timeMode === 'relative' && firstTs !== null ? formatRelative(row.ts, firstTs) : formatTimeOfDay(row.ts);
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      data-seq={row.seq}
      data-connection-start={startsConnection ?? undefined}
      className={`frame-row dir-${row.direction} op-row-${row.opcode}${selected ? ' is-selected' : ''}${startsConnection !== null ? ' is-new-connection' : ''}${row.damaged ? ' is-damaged' : ''}`}
      onClick={() => onSelect(index, row.seq)}
    >
      <span role="gridcell" className="cell-seq">
        {row.seq}
      </span>
      <span role="gridcell" className="cell-conn">
        {drop !== null ? (
          <span className="conn-marker" title={drop} aria-label={drop}>
            ↻
          </span>
        ) : null}
        {connection}
      </span>
      <span role="gridcell" className="cell-time" title={formatMicros(row.ts)}>
        {time}
      </span>
      <span role="gridcell" className="cell-dir">
        <DirectionMark direction={row.direction} />
      </span>
      <span role="gridcell" className="cell-op">
        <OpcodeBadge opcode={row.opcode} />
      </span>
      <span
        role="gridcell"
        className={`cell-size${row.truncated ? ' is-truncated' : ''}`}
        title={row.truncated ? `${row.size} bytes on the wire; stored truncated` : `${row.size} bytes`}
      >
        {formatBytes(row.size)}
        {row.truncated ? '*' : ''}
      </span>
      {messages ? <MessageCell message={row.message} /> : null}
      <span role="gridcell" className="cell-preview" data-ellipsis="">
        <Highlighted text={previewText(row)} pattern={highlight} />
      </span>
    </div>
  );
});
