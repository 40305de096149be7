import type { ComponentType } from 'react';
import type { common } from './messages.ts';
import { AgreementPage } from './pages/agreement/AgreementPage.tsx';
import { AgreementHomePage, AgreementsPage } from './pages/agreement/AgreementsPage.tsx';
import { CeremoniesPage } from './pages/ceremony/CeremoniesPage.tsx';
import { CeremonyPage } from './pages/ceremony/CeremonyPage.tsx';
import { CountiesPage } from './pages/counties/CountiesPage.tsx';
import { CountyPage } from './pages/county/CountyPage.tsx';
import { FoundationPage } from './pages/foundation/FoundationPage.tsx';
import { FoundationsPage } from './pages/foundation/FoundationsPage.tsx';
import { PipelinePage } from './pages/pipeline/PipelinePage.tsx';
import { ProjectPage } from './pages/project/ProjectPage.tsx';

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
  { path: '/', component: AgreementHomePage },
  { path: '/agreements', component: AgreementsPage },
  { path: '/agreements/:id', component: AgreementPage },
  { path: '/counties', component: CountiesPage },
  { path: '/counties/:code', component: CountyPage },
  { path: '/pipeline', component: PipelinePage },
  { path: '/projects/:id', component: ProjectPage },
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
