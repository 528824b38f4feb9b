/** Path routing under the app's base (/admin/): links push history entries, and the server answers index.html for any path below it. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const BASE = import.meta.env.BASE_URL;

/** The path below the base, without leading or trailing slashes: '' is the campaigns list. */
function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname.replace(/^\//, '');
  return path.replace(/\/+$/, '');
}

export function navigate(route: string): void {
  history.pushState(null, '', BASE + route);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): { route: string; query: URLSearchParams } {
  const [state, setState] = useState(() => ({ route: currentRoute(), query: new URLSearchParams(location.search) }));
  useEffect(() => {
    const update = () => setState({ route: currentRoute(), query: new URLSearchParams(location.search) });
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return state;
}

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
}

export function Link({ to, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
    scrollTo(0, 0);
  };
  return (
    <a {...rest} href={BASE + to} onClick={onClick}>
      {children}
    </a>
  );
}
