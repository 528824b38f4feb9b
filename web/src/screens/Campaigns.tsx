/** Every campaign with its status, progress to endAt and counts, refreshed by polling GET /campaigns. */
import { useState } from 'preact/hooks';
import { api, CHANNEL_LABELS, unwrap, type Campaign } from '../api/client.js';
import { useCanChange } from '../access.js';
import { usePoll } from '../hooks.js';
import { Link } from '../router.js';
import { CountsBar, StatusBadge, TimeProgress } from '../ui.js';

const POLL_MS = 2000;

/** The line a campaign is known by: an e-mail's subject, an in-app message's title, an SMS's text; cut at 60 characters. */
function headline(campaign: Campaign): string {
  const line = (campaign.channel === 'email' ? campaign.subject : campaign.channel === 'inapp' ? campaign.title : undefined) ?? campaign.text;
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

export function Campaigns() {
  const [pages, setPages] = useState(1);
  const canChange = useCanChange();
  const { data, error } = usePoll(
    async () => {
      // The first `pages` pages, read again on each poll so every shown campaign stays live.
      const items: Campaign[] = [];
      let cursor: string | undefined;
      let nextCursor: string | null = null;
      for (let page = 0; page < pages; page++) {
        const answer = unwrap(await api().GET('/campaigns', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
        items.push(...answer.items);
        nextCursor = answer.nextCursor;
        if (!nextCursor) break;
        cursor = nextCursor;
      }
      return { items: items.sort((a, b) => Number(b.id) - Number(a.id)), more: nextCursor !== null };
    },
    POLL_MS,
    [pages],
  );
  return (
    <section aria-labelledby="campaigns-title">
      <div class="heading">
        <h1 id="campaigns-title">Campaigns</h1>
        {canChange && (
          <Link to="campaigns/new" class="button primary">
            New campaign
          </Link>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          Could not load campaigns: {error}
        </p>
      )}
      {!data && !error && <p>Loading…</p>}
      {data && data.items.length === 0 && <p>No campaigns yet.</p>}
      {data && data.items.length > 0 && (
        <ul class="cards" aria-label="Campaigns">
          {data.items.map((campaign) => (
            <li key={campaign.id} class="card" data-campaign={campaign.id}>
              <div class="card-head">
                <Link to={`campaigns/${campaign.id}`}>
                  <b>#{campaign.id}</b> <span class="hint">{CHANNEL_LABELS[campaign.channel]}</span> {headline(campaign)}
                </Link>
                <StatusBadge status={campaign.status} />
              </div>
              <TimeProgress startAt={campaign.startAt} endAt={campaign.endAt} status={campaign.status} />
              <CountsBar counts={campaign.counts} />
            </li>
          ))}
        </ul>
      )}
      {data?.more && (
        <button type="button" onClick={() => setPages(pages + 1)}>
          Show more
        </button>
      )}
    </section>
  );
}
