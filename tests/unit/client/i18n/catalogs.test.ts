import { describe, expect, it } from 'vitest';
import { en, type Key } from '../../../../client/src/i18n/en';
import { catalog as es } from '../../../../client/src/i18n/es';
import { catalog as pt } from '../../../../client/src/i18n/pt';
import { catalog as fr } from '../../../../client/src/i18n/fr';
import { catalog as de } from '../../../../client/src/i18n/de';
import { pickLocale, t } from '../../../../client/src/i18n/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('string catalogs', () => {
  const others = { es, pt, fr, de };
  it.each(Object.entries(others))('%s has every English key and no other, each with the same placeholders', (_, catalog) => {
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Key[]) {
      expect(placeholders(catalog[key]), key).toEqual(placeholders(en[key]));
      expect(catalog[key].trim().length, key).toBeGreaterThan(0);
    }
  });

  it('the issue’s accessible names are the English strings, word for word', () => {
    expect([en['bg.blur'], en['bg.replace'], en['noise.toggle'], en['pip.toggle'], en['rec.start'], en['rec.mark']]).toEqual([
      'Blur background',
      'Replace background',
      'Noise suppression',
      'Picture-in-picture',
      'Start recording',
      'Recording',
    ]);
  });

  it('t() fills in values and leaves unknown ones visible', () => {
    expect(t('pager.page', { page: 2, pages: 3 })).toBe('Page 2 of 3');
    expect(t('pager.page', { page: 2 })).toBe('Page 2 of {pages}');
  });
});

describe('pickLocale', () => {
  it('takes the first of the browser’s languages that Confab speaks, by primary subtag', () => {
    expect(pickLocale(['es-MX', 'en'])).toBe('es');
    expect(pickLocale(['ja', 'pt-BR', 'fr'])).toBe('pt');
    expect(pickLocale(['DE-at'])).toBe('de');
    expect(pickLocale(['ja', 'zh'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});
