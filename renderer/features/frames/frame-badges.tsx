// The direction arrow and opcode badge used in the frame list and the detail.
import type { Direction, Opcode } from '../../../shared/contract';

export function DirectionMark({ direction }: { direction: Direction }) {
  const received = direction === 'in';
  return (
    <span
      className={`dir-mark dir-${direction}`}
      title={received ? 'Received from the server' : 'Sent by Frameline'}
      aria-label={received ? 'received' : 'sent'}
    >
      {received ? '↓' : '↑'}
    </span>
  );
}

export function OpcodeBadge({ opcode }: { opcode: Opcode }) {
  return <span className={`op-badge op-${opcode}`}>{opcode === 'continuation' ? 'cont' : opcode}</span>;
}
