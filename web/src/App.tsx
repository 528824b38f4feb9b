/** The frame around every screen: navigation, the signed-in user, and the route's screen. */
import type { ComponentChildren } from 'preact';
import { CanChange, useCanChange } from './access.js';
import type { Session } from './config.js';
import { Link, useRoute } from './router.js';
import { CampaignDetail } from './screens/CampaignDetail.js';
import { CampaignForm } from './screens/CampaignForm.js';
import { ClientInbox } from './screens/ClientInbox.js';
import { Campaigns } from './screens/Campaigns.js';
import { Clients } from './screens/Clients.js';
import { EventTypeForm, EventTypes } from './screens/EventTypes.js';
import { MessageDetail } from './screens/MessageDetail.js';

/** A screen that only changes things: for a viewer, what they may do instead. */
function ChangesOnly({ children }: { children: ComponentChildren }) {
  if (useCanChange()) return <>{children}</>;
  return (
    <section>
      <h1>Read-only</h1>
      <p>
        Your account may look but not change anything: it is in the viewers group. <Link to="">Back to the campaigns</Link>.
      </p>
    </section>
  );
}

function screenFor(route: string) {
  let match: RegExpMatchArray | null;
  if (route === '' || route === 'campaigns') return <Campaigns />;
  if (route === 'campaigns/new')
    return (
      <ChangesOnly>
        <CampaignForm />
      </ChangesOnly>
    );
  if ((match = route.match(/^campaigns\/(\d+)\/edit$/)))
    return (
      <ChangesOnly>
        <CampaignForm id={match[1]} />
      </ChangesOnly>
    );
  if ((match = route.match(/^campaigns\/(\d+)$/))) return <CampaignDetail id={match[1] as string} />;
  if (route === 'clients') return <Clients />;
  if (route === 'event-types') return <EventTypes />;
  if (route === 'event-types/new')
    return (
      <ChangesOnly>
        <EventTypeForm />
      </ChangesOnly>
    );
  if ((match = route.match(/^event-types\/([a-z0-9][a-z0-9._-]{0,63})$/))) return <EventTypeForm typeKey={match[1] as string} />;
  if ((match = route.match(/^clients\/([^/]+)\/inbox$/))) return <ClientInbox id={decodeURIComponent(match[1] as string)} />;
  if ((match = route.match(/^messages\/(\d+)$/))) return <MessageDetail id={match[1] as string} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing here. <Link to="">Back to the campaigns</Link>.
      </p>
    </section>
  );
}

export function App({ session }: { session?: Session }) {
  const { route } = useRoute();
  const section = route.startsWith('clients') ? 'clients' : route.startsWith('event-types') ? 'event-types' : 'campaigns';
  // Without a session (locally, no sign-in) everything is shown.
  const canChange = session?.access !== 'view';
  return (
    <CanChange.Provider value={canChange}>
      <header class="top">
        <Link to="" class="brand">
          Herald
        </Link>
        <nav aria-label="Main">
          <Link to="" aria-current={section === 'campaigns' ? 'page' : undefined}>
            Campaigns
          </Link>
          <Link to="clients" aria-current={section === 'clients' ? 'page' : undefined}>
            Clients
          </Link>
          <Link to="event-types" aria-current={section === 'event-types' ? 'page' : undefined}>
            Event types
          </Link>
        </nav>
        {session && (
          <span class="user">
            {session.userName} {!canChange && <span class="badge">read-only</span>}{' '}
            <button type="button" onClick={() => session.signOut()}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main>{screenFor(route)}</main>
    </CanChange.Provider>
  );
}
