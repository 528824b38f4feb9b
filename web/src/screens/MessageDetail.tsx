/** One message by id (GET /messages/{id}): its channel, status, delivery (e-mail), attempts, last error and times. */
import { api, CHANNEL_LABELS, unwrap, type MessageView } from '../api/client.js';
import { usePoll } from '../hooks.js';
import { Link } from '../router.js';
import { StatusBadge } from '../ui.js';

export function MessageDetail({ id }: { id: string }) {
  const { data: message, error } = usePoll(
    async (): Promise<MessageView> => unwrap(await api().GET('/messages/{id}', { params: { path: { id: Number(id) } } })),
    0,
    [id],
  );
  return (
    <section aria-labelledby="message-title">
      <h1 id="message-title">Message {id}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {message && (
        <>
          <dl class="facts">
            <dt>Channel</dt>
            <dd data-testid="channel">{CHANNEL_LABELS[message.channel]}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={message.status} />
            </dd>
            {message.delivery && (
              <>
                <dt>Delivery</dt>
                <dd data-testid="delivery">{message.delivery}</dd>
              </>
            )}
            <dt>Campaign</dt>
            <dd>
              <Link to={`campaigns/${message.campaignId}`}>#{message.campaignId}</Link>
            </dd>
            <dt>Client</dt>
            <dd>
              <Link to={`clients?id=${encodeURIComponent(message.clientId)}`}>{message.clientId}</Link>
            </dd>
            <dt>Attempts</dt>
            <dd data-testid="attempts">{message.attempts}</dd>
            <dt>Created</dt>
            <dd>{new Date(message.createdAt).toLocaleString()}</dd>
            <dt>Sent</dt>
            <dd>{message.sentAt ? new Date(message.sentAt).toLocaleString() : '–'}</dd>
            <dt>Last error</dt>
            <dd>{message.lastError ?? '–'}</dd>
          </dl>
          <p>
            <Link to={`campaigns/${message.campaignId}`}>Back to campaign #{message.campaignId}</Link>
          </p>
        </>
      )}
    </section>
  );
}
