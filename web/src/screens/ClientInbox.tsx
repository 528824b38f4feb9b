/**
 * A client's inbox as the client sees it: the admin app mints a token for them (POST
 * /clients/{id}/inbox-token) and hands it to `<herald-inbox>`, the element sites embed from
 * /inbox.js, so what operators see here is what the client's app shows. The element's code is
 * loaded with this screen only.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, mintInboxToken } from '../api/client.js';
import { inboxEndpoints } from '../inbox.js';
import { Link } from '../router.js';

/** Short-lived: the page mints another when the element reports the token refused (expired). */
const TOKEN_TTL_SECONDS = 900;

export function ClientInbox({ id }: { id: string }) {
  const mount = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    const mint = async () => (await mintInboxToken(id, TOKEN_TTL_SECONDS)).token;
    const start = async () => {
      const [token] = await Promise.all([mint(), import('../../inbox/src/index.js')]);
      if (stopped || !mount.current) return;
      const { api: apiUrl, ws } = inboxEndpoints();
      const element = document.createElement('herald-inbox');
      element.setAttribute('api', apiUrl);
      element.setAttribute('ws', ws);
      element.setAttribute('open', '');
      element.addEventListener('unauthorized', () => {
        mint().then(
          (fresh) => !stopped && (element.token = fresh),
          (caught: unknown) => !stopped && setError(messageOf(caught)),
        );
      });
      element.token = token;
      mount.current.replaceChildren(element);
    };
    start().catch((caught: unknown) => !stopped && setError(messageOf(caught)));
    return () => {
      stopped = true;
      mount.current?.replaceChildren();
    };
  }, [id]);

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox of client {id}</h1>
      <p class="hint">
        What the client&apos;s app shows in <code>&lt;herald-inbox&gt;</code>, live. Marking an item read here marks it read for the client.{' '}
        <Link to={`clients?id=${encodeURIComponent(id)}`}>Back to the client</Link>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div ref={mount} />
    </section>
  );
}
