import { useState } from 'preact/hooks';

/** Only for this tab: a token typed in a form is sent with writes and forgotten when the tab closes. */
const TOKEN_KEY = 'burnwatch.apiToken';

/** The API token the user typed (shared by every form of the tab), and a setter that remembers it. */
export function useApiToken(): [string, (token: string) => void] {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const remember = (value: string) => {
    setToken(value);
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  };
  return [token, remember];
}
