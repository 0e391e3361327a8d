import { decodeBase64Key, isBase64Key } from '../../../src/util/base64';

describe('decodeBase64Key', () => {
  it.each([1, 2, 3, 16, 31, 32, 33, 64])('decodes %i bytes to the same key with and without padding', (n) => {
    const key = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
    const padded = key.toString('base64');
    const unpadded = padded.replace(/=+$/, '');
    expect(decodeBase64Key(padded)).toEqual(key);
    expect(decodeBase64Key(unpadded)).toEqual(key);
  });

  it.each([
    ['empty', ''],
    ['a character outside the alphabet', 'abc*defg'],
    ['URL-safe characters', 'ab-_'],
    ['a length no encoding produces', 'abcde'],
    ['wrong padding', 'YQ='],
    ['three "="', 'YQ==='],
    ['padding in the middle', 'YQ==YQ=='],
    ['stray low bits in the last character', 'YR'],
    ['surrounding white space', ' YWJj '],
    ['quotes', '"YWJj"'],
  ])('refuses %s', (_what, text) => {
    expect(decodeBase64Key(text)).toBeUndefined();
    expect(isBase64Key(text)).toBe(false);
  });
});
