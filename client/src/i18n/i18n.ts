import { createSignal } from 'solid-js';
import { en, type Catalog, type Key } from './en';

export type { Key } from './en';

/**
 * The interface language. English ships in the first bundle; the others are chunks of their
 * own, loaded before the page first renders in them (client/src/main.tsx), so a German page
 * never paints English first and an English page never downloads German.
 */
export const LOCALES = ['en', 'es', 'pt', 'fr', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language named in itself, as a language menu should. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español', pt: 'Português', fr: 'Français', de: 'Deutsch' };

const LOADERS: Record<Exclude<Locale, 'en'>, () => Promise<{ catalog: Catalog }>> = {
  es: () => import('./es'),
  pt: () => import('./pt'),
  fr: () => import('./fr'),
  de: () => import('./de'),
};

const STORED_KEY = 'confab.locale';
const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

const [locale, setLocaleSignal] = createSignal<Locale>('en');
const [catalog, setCatalog] = createSignal<Catalog>(en);
export { locale };

/** The first of the browser's languages that Confab speaks (by primary subtag: pt-BR → pt); else English. */
export function pickLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return 'en';
}

/** `t('pager.page', { page: 2, pages: 3 })`: the string in the current language, values filled in. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const text = catalog()[key] ?? en[key];
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}

/** Switches language (fetching its strings first); `remember` keeps the choice for next time. */
export async function setLocale(next: Locale, remember = true): Promise<void> {
  const strings = next === 'en' ? en : (await LOADERS[next]()).catalog;
  setCatalog(() => strings);
  setLocaleSignal(next);
  document.documentElement.lang = next;
  if (remember) {
    try {
      localStorage.setItem(STORED_KEY, next);
    } catch {
      /* private mode: the choice lasts this page only */
    }
  }
}

/** The language chosen before, or the browser's: call before the first render. */
export async function initLocale(): Promise<void> {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORED_KEY);
  } catch {
    /* no storage */
  }
  const chosen = isLocale(stored) ? stored : pickLocale(navigator.languages ?? [navigator.language]);
  await setLocale(chosen, false).catch(() => setLocale('en', false));
}

/** A time of day (chat) in the chosen language's style. */
export function formatClock(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** A count in the chosen language's style (1,000 / 1.000 / 1 000). */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** A number with a fixed count of decimals, in the chosen language's style (5.0 / 5,0). */
export function formatDecimal(n: number, digits: number): string {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A size in bytes as kB/MB with the chosen language's decimal mark. */
export function formatBytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return mb >= 1
    ? new Intl.NumberFormat(locale(), { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(mb)
    : new Intl.NumberFormat(locale(), { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(bytes / 1000);
}
