/** The header: the brand and the language toggle; signed in, also navigation, live state and sign-out. */
import type { ComponentChildren } from 'preact';
import { type Locale, setCurrentLocale, storeLocale, t, uiLocale } from '../i18n.ts';

export function LanguageToggle() {
  const other: Locale = uiLocale.value === 'ja' ? 'en' : 'ja';
  return (
    <button
      type="button"
      class="language"
      lang={other}
      aria-label={`${t('nav.language')}: ${t('nav.otherLanguage')}`}
      onClick={() => {
        storeLocale(window.localStorage, other);
        setCurrentLocale(other);
      }}
    >
      {t('nav.otherLanguage')}
    </button>
  );
}

export function Header({ children }: { children?: ComponentChildren }) {
  return (
    <header class="app-header">
      {children ?? <span class="brand">{t('app.title')}</span>}
      <LanguageToggle />
    </header>
  );
}
