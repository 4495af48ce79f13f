import { expect, it } from 'vitest';
import { messageFields } from '../../../../../renderer/features/frames/message-fields';

it('lists protocol and type first, then the fields the protocol filled in, lists joined', () => {
  expect(
    messageFields({
      topics: ['a/#', 'b'],
      type: 'SUBSCRIBE',
      protocol: 'mqtt',
      packetId: 7,
      retain: false,
    }),
  ).toEqual([
    ['protocol', 'mqtt'],
    ['type', 'SUBSCRIBE'],
    ['topics', 'a/#, b'],
    ['packetId', '7'],
    ['retain', 'false'],
  ]);
});
