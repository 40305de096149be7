import { describe, expect, it } from 'vitest';
import { divisionNamed } from './seed.ts';

/** How a county pair's name, as the record writes it, finds its division. */
describe('divisionNamed', () => {
  const divisions = [
    { code: '320585', nameZh: '太仓市', cityCode: '320500' },
    { code: '321003', nameZh: '邗江区', cityCode: '321000' },
    { code: '321084', nameZh: '高邮市', cityCode: '321000' },
    // Two divisions a bare name could stand for (not a real pair of Jiangsu names).
    { code: '329901', nameZh: '同名县', cityCode: '329900' },
    { code: '329902', nameZh: '同名区', cityCode: '329900' },
  ];

  it('matches a name written without its type character, within the city only', () => {
    expect(divisionNamed(divisions, '320500', '太仓')?.code).toBe('320585');
    expect(divisionNamed(divisions, '321000', '邗江')?.code).toBe('321003');
    expect(divisionNamed(divisions, '321000', '高邮市')?.code).toBe('321084');
    expect(divisionNamed(divisions, '320500', '高邮')).toBeNull();
  });

  it('matches nothing rather than guess between two divisions, or on part of a name', () => {
    expect(divisionNamed(divisions, '329900', '同名')).toBeNull();
    expect(divisionNamed(divisions, '320500', '太')).toBeNull();
  });
});
