/**
 * One campaign: its channel, content and settings (with SES's delivered, bounced and complained
 * tallies on an e-mail campaign), a live chart of counts and send rate (polling GET /campaigns/{id}/stats),
 * pause/resume/cancel with confirmation, and its messages by status, page by page.
 *
 * After a reload the chart starts from what the API can tell about the past: each sent message's
 * sentAt (read from the messages listing) rebuilds the sent curve and the send rate; the other
 * statuses have no time of their own in the API, so their lines start with the page.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  CHANNEL_LABELS,
  messageOf,
  MESSAGE_STATUSES,
  unwrap,
  type Campaign,
  type CampaignView,
  type Channel,
  type Counts,
  type EmailEvents,
  type MessageStatus,
  type MessageView,
} from '../api/client.js';
import { useCanChange } from '../access.js';
import { usePoll } from '../hooks.js';
import { Link } from '../router.js';
import { Confirm, CountsBar, StatusBadge, TimeProgress } from '../ui.js';
import { CountsChart, type ChartPoint } from './Chart.js';

const POLL_MS = 1000;
/** Sent messages read to rebuild the history: enough for the chart's shape without reading a big campaign whole. */
const HISTORY_PAGES = 20;

async function sentHistory(id: string): Promise<ChartPoint[]> {
  const times: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const answer = unwrap(
      await api().GET('/campaigns/{id}/stats', { params: { path: { id }, query: { status: 'sent', limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    for (const message of answer.messages.items) if (message.sentAt) times.push(Math.floor(Date.parse(message.sentAt) / 1000));
    if (!answer.messages.nextCursor) break;
    cursor = answer.messages.nextCursor;
  }
  const perSecond = new Map<number, number>();
  for (const second of times) perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  let sent = 0;
  return [...perSecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, count]) => {
      sent += count;
      return { t, sent, rate: count };
    });
}

type Action = 'pause' | 'resume' | 'cancel';
const ACTIONS: Record<Action, { label: string; body: string; allowed: Campaign['status'][] }> = {
  pause: { label: 'Pause', body: 'No message of this campaign starts while it is paused. It still ends at its end time.', allowed: ['running'] },
  resume: { label: 'Resume', body: 'Sending goes on where it stopped.', allowed: ['paused'] },
  cancel: { label: 'Cancel campaign', body: 'Nothing more is sent for this campaign; this cannot be undone.', allowed: ['scheduled', 'running', 'paused'] },
};

export function CampaignDetail({ id }: { id: string }) {
  const [points, setPoints] = useState<ChartPoint[]>([]);
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<string>();
  const canChange = useCanChange();
  const campaign = usePoll(async (): Promise<CampaignView> => unwrap(await api().GET('/campaigns/{id}', { params: { path: { id } } })), POLL_MS, [id]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setPoints([]);
    const poll = async () => {
      try {
        const stats = unwrap(await api().GET('/campaigns/{id}/stats', { params: { path: { id }, query: { limit: 1 } } }));
        if (stopped) return;
        const t = Date.now() / 1000;
        setPoints((previous) => {
          const last = previous[previous.length - 1];
          const rate = last && t > last.t ? Math.max(0, (stats.counts.sent - last.sent) / (t - last.t)) : null;
          return [...previous, { t, counts: stats.counts, sent: stats.counts.sent, rate }].slice(-2000);
        });
      } catch {
        // the campaign poll above reports the error
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    sentHistory(id)
      .then((history) => {
        if (!stopped) setPoints(history);
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) void poll();
      });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  const run = async (action: Action) => {
    setConfirming(null);
    setActionError(undefined);
    try {
      if (action === 'cancel') unwrap(await api().DELETE('/campaigns/{id}', { params: { path: { id } } }));
      else if (action === 'pause') unwrap(await api().POST('/campaigns/{id}/pause', { params: { path: { id } } }));
      else unwrap(await api().POST('/campaigns/{id}/resume', { params: { path: { id } } }));
      campaign.reload();
    } catch (error) {
      setActionError(messageOf(error));
    }
  };

  if (campaign.error && !campaign.data) {
    return (
      <section>
        <h1>Campaign #{id}</h1>
        <p class="error" role="alert">
          {campaign.error}
        </p>
      </section>
    );
  }
  const current = campaign.data;
  if (!current) return <p>Loading…</p>;
  // The counters show the same poll the chart's last point does, so the two never disagree.
  const latest: Counts = points[points.length - 1]?.counts ?? current.counts;
  return (
    <section aria-labelledby="campaign-title">
      <div class="heading">
        <h1 id="campaign-title">
          Campaign #{current.id} <StatusBadge status={current.status} />
        </h1>
        <div class="actions">
          {(['pause', 'resume', 'cancel'] as Action[])
            .filter((action) => canChange && ACTIONS[action].allowed.includes(current.status))
            .map((action) => (
              <button key={action} type="button" class={action === 'cancel' ? 'danger' : ''} onClick={() => setConfirming(action)}>
                {ACTIONS[action].label}
              </button>
            ))}
          {canChange && ['scheduled', 'running', 'paused'].includes(current.status) && (
            <Link to={`campaigns/${current.id}/edit`} class="button">
              Edit
            </Link>
          )}
        </div>
      </div>
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      <Confirm
        open={confirming !== null}
        title={confirming ? `${ACTIONS[confirming].label} campaign #${current.id}?` : ''}
        body={confirming ? ACTIONS[confirming].body : ''}
        confirmLabel={confirming ? `Yes, ${ACTIONS[confirming].label.toLowerCase()}` : ''}
        onConfirm={() => confirming && void run(confirming)}
        onCancel={() => setConfirming(null)}
      />
      <Content campaign={current} />
      <TimeProgress startAt={current.startAt} endAt={current.endAt} status={current.status} />
      <dl class="facts">
        <dt>Channel</dt>
        <dd data-testid="channel">{CHANNEL_LABELS[current.channel]}</dd>
        <dt>Start</dt>
        <dd>{new Date(current.startAt).toLocaleString()}</dd>
        <dt>End</dt>
        <dd>{new Date(current.endAt).toLocaleString()}</dd>
        <dt>Filter</dt>
        <dd>
          {[
            current.filter.operatorCodes?.length ? `operators ${current.filter.operatorCodes.join(', ')}` : '',
            current.filter.tags?.length ? `tags ${current.filter.tags.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ') || 'every client'}
        </dd>
        <dt>Audience</dt>
        <dd data-testid="audience">{current.audience ?? '–'}</dd>
        <dt>Suppressed</dt>
        <dd data-testid="suppressed">{current.suppressed}</dd>
        <dt>Unreachable</dt>
        <dd data-testid="unreachable">{current.unreachable}</dd>
        {current.sendWindow && (
          <>
            <dt>Send window</dt>
            <dd>
              {current.sendWindow.from}–{current.sendWindow.to} client time
            </dd>
          </>
        )}
        {current.maxPerSecond !== undefined && (
          <>
            <dt>Rate limit</dt>
            <dd>{current.maxPerSecond}/s</dd>
          </>
        )}
      </dl>
      <h2>Delivery</h2>
      <dl class="counters">
        {MESSAGE_STATUSES.map((status) => (
          <div key={status}>
            <dt>{status}</dt>
            <dd data-testid={`count-${status}`}>{latest[status]}</dd>
          </div>
        ))}
        <div>
          <dt>send rate</dt>
          <dd data-testid="send-rate">{(points[points.length - 1]?.rate ?? 0).toFixed(1)}/s</dd>
        </div>
      </dl>
      <CountsBar counts={latest} />
      {current.emailEvents && <EmailEventCounts events={current.emailEvents} />}
      <CountsChart points={points} />
      <Messages campaignId={current.id} channel={current.channel} changes={MESSAGE_STATUSES.map((status) => latest[status]).join(',')} />
    </section>
  );
}

/** The templates of the campaign's channel, as stored (rendered per client at send time). */
function Content({ campaign }: { campaign: Campaign }) {
  if (campaign.channel === 'sms') return <p class="text">{campaign.text}</p>;
  const [head, headLabel] = campaign.channel === 'email' ? [campaign.subject, 'Subject'] : [campaign.title, 'Title'];
  return (
    <dl class="facts content">
      <dt>{headLabel}</dt>
      <dd data-testid={headLabel.toLowerCase()}>{head}</dd>
      {campaign.text && (
        <>
          <dt>Text</dt>
          <dd class="text">{campaign.text}</dd>
        </>
      )}
      {campaign.html && (
        <>
          <dt>HTML</dt>
          <dd>
            <pre class="text">{campaign.html}</pre>
          </dd>
        </>
      )}
      {campaign.url && (
        <>
          <dt>Link</dt>
          <dd>{campaign.url}</dd>
        </>
      )}
    </dl>
  );
}

const EMAIL_EVENTS: (keyof EmailEvents)[] = ['delivered', 'bounced', 'complained'];

/** What SES reported for the campaign's mail: a bounce or complaint also suppressed its address. */
function EmailEventCounts({ events }: { events: EmailEvents }) {
  return (
    <section aria-labelledby="email-events-title">
      <h3 id="email-events-title">E-mail events</h3>
      <dl class="counters">
        {EMAIL_EVENTS.map((event) => (
          <div key={event}>
            <dt>{event}</dt>
            <dd data-testid={`email-${event}`}>{events[event]}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** `changes` differs whenever the counts do: the page shown is read again then, so new messages and statuses appear. */
function Messages({ campaignId, channel, changes }: { campaignId: string; channel: Channel; changes: string }) {
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: MessageView[]; nextCursor: string | null }>();
  const [error, setError] = useState<string>();
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let stopped = false;
    api()
      .GET('/campaigns/{id}/stats', {
        params: { path: { id: campaignId }, query: { limit: 20, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
      })
      .then((result) => {
        if (!stopped) setPage(unwrap(result).messages);
      })
      .catch((caught: unknown) => !stopped && setError(caught instanceof ApiError ? caught.message : String(caught)));
    return () => {
      stopped = true;
    };
  }, [campaignId, status, cursor, changes]);
  // Only e-mail has delivery events: the column shows on an e-mail campaign, or wherever a message carries one.
  const showDelivery = channel === 'email' || (page?.items.some((message) => message.delivery !== undefined) ?? false);
  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <div class="field inline">
        <label for="message-status">Status</label>
        <select
          id="message-status"
          value={status}
          onChange={(event) => {
            setStatus((event.target as HTMLSelectElement).value as MessageStatus | '');
            setCursors([undefined]);
          }}
        >
          <option value="">all</option>
          {MESSAGE_STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && page.items.length === 0 && <p>No messages{status ? ` ${status}` : ''} yet.</p>}
      {page && page.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                {showDelivery && <th scope="col">Delivery</th>}
                <th scope="col">Attempts</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((message) => (
                <tr key={message.id} data-message={message.id}>
                  <td>
                    <Link to={`messages/${message.id}`}>{message.id}</Link>
                  </td>
                  <td>{CHANNEL_LABELS[message.channel]}</td>
                  <td>
                    <StatusBadge status={message.status} />
                  </td>
                  {showDelivery && <td data-delivery={message.delivery ?? ''}>{message.delivery ?? '–'}</td>}
                  <td>{message.attempts}</td>
                  <td>{message.sentAt ? new Date(message.sentAt).toLocaleTimeString() : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </div>
    </section>
  );
}
