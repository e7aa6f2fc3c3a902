import { useEffect, useState } from 'preact/hooks';

const EVENT = 'burnwatch:navigate';

/** Moves to another page of the UI without reloading. */
export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(EVENT));
}

/** The current address; re-renders on navigation and on back/forward. */
export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return current;
}

/** Runs `load` now and every `seconds` while the page is visible; `load` gets a signal that aborts on unmount. */
export function useRefresh(
  load: (signal: AbortSignal) => Promise<void>,
  seconds: number,
  deps: unknown[],
): void {
  useEffect(() => {
    const controller = new AbortController();
    const run = () => {
      if (document.visibilityState === 'hidden') return;
      load(controller.signal).catch((error: unknown) => {
        if ((error as Error).name !== 'AbortError') throw error;
      });
    };
    run();
    const timer = window.setInterval(run, seconds * 1000);
    document.addEventListener('visibilitychange', run);
    return () => {
      controller.abort();
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', run);
    };
  }, deps);
}
