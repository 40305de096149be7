import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * The console's two languages: Chinese by default, English at the switch in the header. The
 * choice is remembered in localStorage, and `<html lang>` follows it (screen readers and the
 * font's Chinese glyphs both read it). Each page keeps its own messages beside it
 * (`src/pages/<page>/messages.ts`, made with `defineMessages`); those shared by several pages
 * are in `src/messages.ts`.
 */
export type Locale = 'zh' | 'en';

const KEY = 'su-shaan-hub.console.locale';

/** A page's messages in both languages: the English ones must have every key the Chinese ones have. */
export function defineMessages<const Zh extends Record<string, string>>(messages: { zh: Zh; en: { [Key in keyof Zh]: string } }) {
  return messages;
}

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

const LocaleContext = createContext<LocaleState | null>(null);

function storedLocale(): Locale {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(storedLocale);
  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem(KEY, locale);
    } catch {
      // A browser that keeps nothing still switches, for this visit.
    }
  }, [locale]);
  const state = useMemo(() => ({ locale, setLocale }), [locale]);
  return <LocaleContext.Provider value={state}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error('useLocale outside LocaleProvider');
  return state;
}

/** The messages of the chosen language. */
export function useMessages<M extends Record<string, string>>(messages: { zh: M; en: { [Key in keyof M]: string } }): { [Key in keyof M]: string } {
  return messages[useLocale().locale];
}

/** Fills `{name}` placeholders. */
export function fill(message: string, values: Record<string, string | number>): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A date (YYYY-MM-DD, as the graph gives it) as people read it: 2017年12月28日, or 28 Dec 2017. */
export function formatDate(date: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) return date;
  const [, year, month, day] = match;
  if (locale === 'zh') return `${year}年${Number(month)}月${Number(day)}日`;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${Number(day)} ${months[Number(month) - 1]} ${year}`;
}

/** A whole number with its thousands grouped. */
export function formatCount(count: number, locale: Locale): string {
  return count.toLocaleString(locale === 'zh' ? 'zh-CN' : 'en');
}

/** The name of a record in the chosen language, Chinese when it has no English one. */
export const named = (record: { nameZh: string; nameEn?: string | null }, locale: Locale) => (locale === 'en' && record.nameEn ? record.nameEn : record.nameZh);

/** The title of a record in the chosen language, Chinese when it has no English one. */
export const titled = (record: { titleZh: string; titleEn?: string | null }, locale: Locale) => (locale === 'en' && record.titleEn ? record.titleEn : record.titleZh);
