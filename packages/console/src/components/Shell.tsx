import { NavLink, Outlet } from 'react-router';
import { useDemoFilter } from '../demo-filter.tsx';
import { useLocale, useMessages } from '../i18n.tsx';
import { common } from '../messages.ts';
import { navigation } from '../routes.tsx';
import { SignIn } from './SignIn.tsx';

/** The header (name, navigation, language, demo filter, sign-in) around every page. */
export function Shell() {
  const t = useMessages(common);
  const { locale, setLocale } = useLocale();
  const demo = useDemoFilter();
  return (
    <>
      <a className="skip-link" href="#main">
        {t.mainContent}
      </a>
      <header className="header">
        <div className="header-top">
          <NavLink to="/" className="brand">
            <span className="brand-name">{t.hubName}</span>
            <span className="brand-subtitle">{t.hubSubtitle}</span>
          </NavLink>
          <div className="header-tools">
            <label className="demo-switch">
              <input type="checkbox" checked={demo.showDemo} onChange={(event) => demo.setShowDemo(event.target.checked)} />
              {t.showDemo}
            </label>
            <button type="button" className="language" lang={locale === 'zh' ? 'en' : 'zh-CN'} onClick={() => setLocale(locale === 'zh' ? 'en' : 'zh')}>
              {t.switchTo}
            </button>
            <SignIn />
          </div>
        </div>
        <nav aria-label={t.mainNav} className="nav">
          {navigation.map((item) => (
            <NavLink key={item.path} to={item.path} end={item.path === '/'}>
              {t[item.label]}
            </NavLink>
          ))}
          {/* The explorer is a page of its own, served by the hub at /graphql. */}
          <a href="/graphql" className="nav-explorer">
            {t.explorer}
          </a>
        </nav>
      </header>
      <main id="main" className="main">
        <Outlet />
      </main>
    </>
  );
}
