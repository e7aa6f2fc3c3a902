import { useEffect, useRef } from 'preact/hooks';
import { EmptyState } from './components/bits.js';
import { Link } from './components/Link.js';
import { useLocation } from './navigation.js';
import { AlertsPage } from './pages/AlertsPage.js';
import { SloListPage } from './pages/SloListPage.js';
import { ReportsPage } from './pages/ReportsPage.js';
import { SilencesPage } from './pages/SilencesPage.js';
import { SloPage } from './pages/SloPage.js';
import { WorkloadsPage } from './pages/WorkloadsPage.js';
import { parseRoute } from './router.js';

const TITLES = {
  list: 'SLOs',
  alerts: 'Alerts',
  silences: 'Silences',
  reports: 'Reports',
  workloads: 'Workloads',
  notFound: 'Not found',
} as const;

export function App() {
  const { pathname, search } = useLocation();
  const route = parseRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    document.title = `${route.page === 'slo' ? route.name : TITLES[route.page]} · Burnwatch`;
    // After a navigation (not the first load), move focus to the new page's heading for screen readers.
    if (first.current) {
      first.current = false;
      return;
    }
    requestAnimationFrame(() => main.current?.querySelector<HTMLElement>('h1')?.focus());
  }, [pathname]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <Link href="/" class="brand">
          <svg class="logo" viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
            <path
              d="M8 1c.6 2.4 3.8 4 3.8 7.6A3.8 3.8 0 0 1 4.2 8.6c0-1.6.8-2.6 1.6-3.4 0 1.3.6 2.2 1.4 2.4C7.4 5.6 7.2 3.2 8 1Z"
              fill="#cf222e"
            />
          </svg>
          Burnwatch
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/" current={route.page === 'list' || route.page === 'slo'}>
                SLOs
              </Link>
            </li>
            <li>
              <Link href="/workloads" current={route.page === 'workloads'}>
                Workloads
              </Link>
            </li>
            <li>
              <Link href="/alerts" current={route.page === 'alerts'}>
                Alerts
              </Link>
            </li>
            <li>
              <Link href="/silences" current={route.page === 'silences'}>
                Silences
              </Link>
            </li>
            <li>
              <Link href="/reports" current={route.page === 'reports'}>
                Reports
              </Link>
            </li>
            <li>
              <a href="/api/docs">API</a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {route.page === 'list' && <SloListPage search={search} />}
        {route.page === 'slo' && <SloPage key={route.name} name={route.name} search={search} />}
        {route.page === 'alerts' && <AlertsPage />}
        {route.page === 'silences' && <SilencesPage search={search} />}
        {route.page === 'reports' && <ReportsPage search={search} />}
        {route.page === 'workloads' && <WorkloadsPage />}
        {route.page === 'notFound' && (
          <>
            <h1 tabIndex={-1}>Not found</h1>
            <EmptyState title="This page does not exist">
              <p>
                See <Link href="/">every SLO</Link> or <Link href="/alerts">the alerts</Link>.
              </p>
            </EmptyState>
          </>
        )}
      </main>
      <footer class="site-footer muted small">
        Burnwatch: SLOs and error budgets from an eBPF sensor. Reading needs no token; silences and SLOs from
        observed workloads are made here, other changes go through the <a href="/api/docs">API</a>.
      </footer>
    </>
  );
}
