/** The UI's pages. The service answers these paths with index.html; everything else is the API's. */
export type Route =
  | { page: 'list' }
  | { page: 'slo'; name: string }
  | { page: 'alerts' }
  | { page: 'silences' }
  | { page: 'reports' }
  | { page: 'workloads' }
  | { page: 'notFound' };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'list' };
  if (path === '/alerts') return { page: 'alerts' };
  if (path === '/silences') return { page: 'silences' };
  if (path === '/reports') return { page: 'reports' };
  if (path === '/workloads') return { page: 'workloads' };
  const slo = /^\/slos\/([^/]+)$/.exec(path);
  if (slo) {
    try {
      return { page: 'slo', name: decodeURIComponent(slo[1]!) };
    } catch {
      return { page: 'notFound' };
    }
  }
  return { page: 'notFound' };
}

export function sloPath(name: string): string {
  return `/slos/${encodeURIComponent(name)}`;
}
