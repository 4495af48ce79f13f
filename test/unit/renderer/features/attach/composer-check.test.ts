import { describe, expect, it } from 'vitest';
import {
  checkMessage,
  formatJson,
  hexByteCount,
} from '../../../../../renderer/features/attach/composer-check';
import { toHex } from '../../../../../renderer/components/hex-dump';

describe('checkMessage: text', () => {
  it('sends any text as is, even empty or JSON-looking', () => {
    for (const data of ['', 'hello', '{"op":', '  \n']) expect(checkMessage('text', data)).toBeNull();
  });
});

describe('checkMessage: JSON', () => {
  it('accepts any JSON value', () => {
    for (const data of [
      '{"op":"ping"}',
      '[1, 2, 3]',
      '42',
      '"hello"',
      ' null ',
      'true',
      '{\n  "a": {"b": []}\n}',
    ]) {
      expect(checkMessage('json', data), data).toBeNull();
    }
  });

  it('asks for a value when there is none', () => {
    for (const data of ['', '   ', '\n\t']) {
      expect(checkMessage('json', data)).toBe('Type a JSON value, such as {"op":"ping"}');
    }
  });

  it('says why the JSON does not parse, in the parser’s words', () => {
    expect(checkMessage('json', '{"op":')).toBe('Not valid JSON: Unexpected end of JSON input');
    expect(checkMessage('json', "{op: 'ping'}")).toMatch(/^Not valid JSON: .*position 1/);
    expect(checkMessage('json', '{"op":"ping"} trailing')).toMatch(/^Not valid JSON: /);
  });
});

describe('checkMessage: binary', () => {
  it('accepts hex pairs with any whitespace between them, in either case', () => {
    for (const data of ['01 ff 7a', '01FF7A', '01 ff\n7a\t00', '  0a  ', '']) {
      expect(checkMessage('binary', data), JSON.stringify(data)).toBeNull();
    }
  });

  it('names the first character that is not a hex digit', () => {
    expect(checkMessage('binary', '01 fg 7a')).toBe(
      '"g" is not a hex digit; binary messages are hex pairs such as 01 ff 7a',
    );
    expect(checkMessage('binary', '0x01')).toBe(
      '"x" is not a hex digit; binary messages are hex pairs such as 01 ff 7a',
    );
    expect(checkMessage('binary', '01,02')).toBe(
      '"," is not a hex digit; binary messages are hex pairs such as 01 ff 7a',
    );
  });

  it('counts the digits when they do not make whole bytes', () => {
    expect(checkMessage('binary', '01 ff 7')).toBe(
      '5 hex digits is an odd number: each byte is two digits, such as 01 ff 7a',
    );
    expect(checkMessage('binary', 'a')).toBe(
      '1 hex digits is an odd number: each byte is two digits, such as 01 ff 7a',
    );
  });

  it('accepts what the hex dump’s copy gives', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(checkMessage('binary', toHex(bytes))).toBeNull();
  });
});

describe('formatJson', () => {
  it('lays JSON out with two-space indentation', () => {
    expect(formatJson('{"op":"subscribe","channels":["trades","book"],"depth":{"levels":10}}')).toBe(
      [
        '{',
        '  "op": "subscribe",',
        '  "channels": [',
        '    "trades",',
        '    "book"',
        '  ],',
        '  "depth": {',
        '    "levels": 10',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(formatJson(' 42 ')).toBe('42');
    expect(formatJson('[]')).toBe('[]');
  });

  it('leaves text that does not parse exactly as typed', () => {
    for (const data of ['{"op":', '', 'not json', "{op: 'ping'}"]) expect(formatJson(data)).toBe(data);
  });

  it('keeps large integer ids digit for digit', () => {
    expect(formatJson('{"id":12345678901234567891}')).toBe('{\n  "id": 12345678901234567891\n}');
  });
});

describe('hexByteCount', () => {
  it('counts whole bytes, ignoring whitespace', () => {
    expect(hexByteCount('')).toBe(0);
    expect(hexByteCount('01 ff 7a')).toBe(3);
    expect(hexByteCount('01\nff\t7a 00')).toBe(4);
    expect(hexByteCount('01ff7a00')).toBe(4);
  });

  it('does not count a trailing half byte', () => {
    expect(hexByteCount('01 ff 7')).toBe(2);
    expect(hexByteCount('f')).toBe(0);
  });

  it('matches the length of bytes copied from the hex dump', () => {
    for (const length of [0, 1, 17, 1024]) {
      expect(hexByteCount(toHex(new Uint8Array(length).fill(0xab)))).toBe(length);
    }
  });
});
