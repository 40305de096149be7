import { describe, expect, it } from 'vitest';
import { parseDivisionCode, prefectureOf, provinceOf } from './division-code.ts';

describe('GB/T 2260 division codes', () => {
  it('accepts six digits', () => {
    expect(parseDivisionCode('610927')).toBe('610927');
  });

  it.each([['61092'], ['6109270'], ['06109 '], ['abcdef'], [610927], [null]])('refuses %j', (value) => {
    expect(() => parseDivisionCode(value)).toThrow(/DivisionCode must be a string of six digits/);
  });

  it('derives the prefecture and province of a county', () => {
    expect(prefectureOf('610927')).toBe('610900');
    expect(provinceOf('610927')).toBe('610000');
  });
});
