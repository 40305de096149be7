import type { ComponentType } from 'react';
import type { common } from './messages.ts';
import { CeremoniesPage } from './pages/ceremony/CeremoniesPage.tsx';
import { CeremonyPage } from './pages/ceremony/CeremonyPage.tsx';
import { CountyPage } from './pages/county/CountyPage.tsx';
import { FoundationPage } from './pages/foundation/FoundationPage.tsx';
import { FoundationsPage } from './pages/foundation/FoundationsPage.tsx';
import { HomePage } from './pages/home/HomePage.tsx';

/**
 * The console's pages: one entry each, in one list. To add a page, make its folder
 * `src/pages/<page>/` (its component, its `.graphql` documents, its `messages.ts`), then add
 * one line here. See README.md, "Adding a page".
 */
export interface PageEntry {
  /** The path, with react-router's `:params`. */
  path: string;
  component: ComponentType;
}

export const pages: PageEntry[] = [
  { path: '/', component: HomePage },
  { path: '/counties/:code', component: CountyPage },
  { path: '/ceremonies', component: CeremoniesPage },
  { path: '/ceremonies/:id', component: CeremonyPage },
  { path: '/foundations', component: FoundationsPage },
  { path: '/foundations/:id', component: FoundationPage },
];

/** The header's navigation, in its order; a path with no page yet says so. */
export const navigation: { path: string; label: keyof (typeof common)['zh'] }[] = [
  { path: '/', label: 'navAgreement' },
  { path: '/pipeline', label: 'navPipeline' },
  { path: '/ceremonies', label: 'navCeremonies' },
  { path: '/foundations', label: 'navFoundations' },
  { path: '/counties', label: 'navCounties' },
];
