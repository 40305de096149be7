import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks', () => {
    const rows = parseCsv('code,notes\r\n610927,"home of ""a"", b\nand c"\n610924,\n');
    expect(rows).toEqual([
      { code: '610927', notes: 'home of "a", b\nand c' },
      { code: '610924', notes: '' },
    ]);
  });

  it('refuses a row whose field count does not match the header', () => {
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/row 2 has 3 fields/);
  });
});
