import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import './console.css';
import { StrictMode, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { NotFound } from './components/NotFound.tsx';
import { Shell } from './components/Shell.tsx';
import { DemoFilterProvider } from './demo-filter.tsx';
import { LocaleProvider } from './i18n.tsx';
import { pages } from './routes.tsx';
import { SessionProvider } from './session.tsx';

const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [...pages.map(({ path, component }) => ({ path, element: createElement(component) })), { path: '*', element: <NotFound /> }],
  },
]);

// An error is shown with its code where it happened; retrying a refusal would only repeat it.
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000, refetchOnWindowFocus: false } } });

createRoot(document.getElementById('console')!).render(
  <StrictMode>
    <LocaleProvider>
      <SessionProvider>
        <DemoFilterProvider>
          <QueryClientProvider client={queryClient}>
            <RouterProvider router={router} />
          </QueryClientProvider>
        </DemoFilterProvider>
      </SessionProvider>
    </LocaleProvider>
  </StrictMode>,
);
