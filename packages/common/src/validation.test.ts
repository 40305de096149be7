import { describe, expect, it } from 'vitest';
import { checkUnifiedSocialCreditCode, checkWebsite, cleanText } from './validation.ts';

describe('text input', () => {
  const rule = { field: 'input.titleZh', max: 5 };

  it('trims and accepts ordinary text, counting characters not UTF-16 units', () => {
    expect(cleanText('  妈妈的针线包 ', { ...rule, max: 6 })).toBe('妈妈的针线包');
    expect(cleanText('𠀀𠀀', { ...rule, max: 2 })).toBe('𠀀𠀀');
  });

  it.each([
    ['blank', '   ', /must not be blank/],
    ['too long', '一二三四五六', /6 characters long; at most 5/],
    ['a NUL character', 'a\u0000b', /control characters/],
    ['a line break in a single-line field', 'a\nb', /one line/],
    ['a lone surrogate', 'a\uD800b', /well-formed Unicode/],
  ])('refuses %s, naming the field', (_, value, problem) => {
    expect(() => cleanText(value, rule)).toThrow(problem);
    expect(() => cleanText(value, rule)).toThrow(/^input\.titleZh /);
  });

  it('allows line breaks where the field is multiline', () => {
    expect(cleanText('a\nb', { ...rule, multiline: true })).toBe('a\nb');
  });
});

describe('Unified Social Credit Code', () => {
  it('accepts a code whose check character matches', () => {
    expect(checkUnifiedSocialCreditCode('91350100M000100Y43', 'uscc')).toBe('91350100M000100Y43');
  });

  it('refuses a wrong check character and a wrong alphabet', () => {
    expect(() => checkUnifiedSocialCreditCode('91350100M000100Y44', 'uscc')).toThrow(/check character/);
    expect(() => checkUnifiedSocialCreditCode('91350100M000100YI3', 'uscc')).toThrow(/18 characters/);
  });
});

describe('website', () => {
  it('accepts http(s) URLs only', () => {
    expect(checkWebsite('https://example.org/about', 'website')).toBe('https://example.org/about');
    expect(() => checkWebsite('javascript:alert(1)', 'website')).toThrow(/http or https/);
    expect(() => checkWebsite('not a url', 'website')).toThrow(/must be a URL/);
  });
});
