/**
 * New or edit campaign: its channel (SMS, e-mail or in-app) and that channel's templates with a live
 * preview (POST /campaigns/preview: an SMS with its encoding and segments, an e-mail's html inside a
 * sandboxed iframe, an in-app message as a card), filter with a live audience count (POST
 * /campaigns/audience), send window, rate limit and recurrence. What the server refuses comes back
 * as problem+json naming fields; each message is shown beside its field.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, CHANNEL_LABELS, fieldErrors, messageOf, unwrap, type Campaign, type Channel, type Schemas } from '../api/client.js';
import { useDebounced } from '../hooks.js';
import { ContentPreview, usePreview } from '../preview.js';
import { navigate } from '../router.js';
import { describedBy, Field } from '../ui.js';

interface FormState {
  channel: Channel;
  text: string;
  subject: string;
  html: string;
  title: string;
  url: string;
  /** Not part of the campaign: the client the preview renders for (placeholders without one). */
  previewClient: string;
  startAt: string;
  endAt: string;
  operatorCodes: string;
  tags: string;
  windowFrom: string;
  windowTo: string;
  maxPerSecond: string;
  recurrenceKind: '' | 'cron' | 'rate';
  recurrenceExpression: string;
  recurrenceTimezone: string;
  runMinutes: string;
}

const pad = (value: number) => String(value).padStart(2, '0');
/** An instant as a datetime-local value in the browser's time zone. */
function localInput(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
/** A datetime-local value as an ISO instant; what does not parse goes as typed, for the server to name. */
function instantOf(value: string): string {
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
const listOf = (value: string) =>
  value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

function filterOf(state: FormState): Schemas['CampaignFilter'] {
  const operatorCodes = listOf(state.operatorCodes);
  const tags = listOf(state.tags);
  return { ...(operatorCodes.length ? { operatorCodes } : {}), ...(tags.length ? { tags } : {}) };
}

function emptyState(): FormState {
  const now = Date.now();
  return {
    channel: 'sms',
    text: 'Hello {{ name | default: "friend" }}!',
    subject: 'News for {{ name | default: "you" }}',
    html: '<p>Hello {{ name | default: "friend" }}!</p>\n<p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>',
    title: 'Hello {{ name | default: "friend" }}',
    url: '',
    previewClient: '',
    startAt: localInput(new Date(now).toISOString()),
    endAt: localInput(new Date(now + 60 * 60_000).toISOString()),
    operatorCodes: '',
    tags: '',
    windowFrom: '',
    windowTo: '',
    maxPerSecond: '',
    recurrenceKind: '',
    recurrenceExpression: '',
    recurrenceTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    runMinutes: '',
  };
}

function stateOf(campaign: Campaign): FormState {
  const recurrence = (campaign as { recurrence?: { cron?: string; rate?: string; timezone?: string; runMinutes?: number } }).recurrence;
  return {
    ...emptyState(),
    channel: campaign.channel,
    text: campaign.text,
    subject: campaign.subject ?? '',
    html: campaign.html ?? '',
    title: campaign.title ?? '',
    url: campaign.url ?? '',
    startAt: localInput(campaign.startAt),
    endAt: localInput(campaign.endAt),
    operatorCodes: (campaign.filter.operatorCodes ?? []).join(', '),
    tags: (campaign.filter.tags ?? []).join(', '),
    windowFrom: campaign.sendWindow?.from ?? '',
    windowTo: campaign.sendWindow?.to ?? '',
    maxPerSecond: campaign.maxPerSecond?.toString() ?? '',
    recurrenceKind: recurrence?.cron ? 'cron' : recurrence?.rate ? 'rate' : '',
    recurrenceExpression: recurrence?.cron ?? recurrence?.rate ?? '',
    recurrenceTimezone: recurrence?.timezone ?? emptyState().recurrenceTimezone,
    runMinutes: recurrence?.runMinutes?.toString() ?? '',
  };
}

/**
 * The fields of the chosen channel only (the API refuses a field on the wrong channel); optional
 * ones only when filled. An SMS always has its text; on the other channels the text is optional.
 */
function contentOf(state: FormState): Pick<Schemas['PreviewRequest'], 'channel' | 'text' | 'subject' | 'html' | 'title' | 'url'> {
  const { channel } = state;
  const text = channel === 'sms' || state.text !== '' ? { text: state.text } : {};
  if (channel === 'email') return { channel, subject: state.subject, ...text, ...(state.html !== '' ? { html: state.html } : {}) };
  if (channel === 'inapp') return { channel, title: state.title, ...text, ...(state.url !== '' ? { url: state.url } : {}) };
  return { channel, ...text };
}

/** The request body: optional parts only when filled (recurrence among them). */
function bodyOf(state: FormState): Record<string, unknown> {
  const filter = filterOf(state);
  const body: Record<string, unknown> = { ...contentOf(state), startAt: instantOf(state.startAt), endAt: instantOf(state.endAt), filter };
  if (state.windowFrom || state.windowTo) body.sendWindow = { from: state.windowFrom, to: state.windowTo };
  if (state.maxPerSecond !== '') body.maxPerSecond = Number(state.maxPerSecond);
  if (state.recurrenceKind && state.recurrenceExpression) {
    body.recurrence = {
      [state.recurrenceKind]: state.recurrenceExpression,
      ...(state.recurrenceTimezone ? { timezone: state.recurrenceTimezone } : {}),
      ...(state.runMinutes !== '' ? { runMinutes: Number(state.runMinutes) } : {}),
    };
  }
  return body;
}

const CHANNELS = Object.keys(CHANNEL_LABELS) as Channel[];
const VARIABLES = 'name, phone, tag, operatorCode, timezone, attributes.<key>';
const TEXT_HINTS: Record<Channel, string> = {
  sms: `Variables: ${VARIABLES}`,
  email: `The plain-text part. Variables: ${VARIABLES}, unsubscribeUrl`,
  inapp: `Optional. Variables: ${VARIABLES}`,
};

type TemplateKey = 'text' | 'subject' | 'html' | 'title';
/** A Liquid template's textarea with its error and hint tied to it. */
function Template(props: {
  id: TemplateKey;
  label: string;
  rows: number;
  state: FormState;
  set: (key: keyof FormState) => (event: Event) => void;
  error?: string;
  hint?: string;
}) {
  const { id, error, hint } = props;
  return (
    <Field id={id} label={props.label} error={error} hint={hint}>
      <textarea
        id={id}
        rows={props.rows}
        value={props.state[id]}
        onInput={props.set(id)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint ? 'hint' : undefined)}
      />
    </Field>
  );
}

export function CampaignForm({ id }: { id?: string }) {
  const [state, setState] = useState<FormState | undefined>(id ? undefined : emptyState());
  const [stored, setStored] = useState<Campaign>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [audience, setAudience] = useState<{ count?: number; error?: string }>({});

  useEffect(() => {
    if (!id) return;
    api()
      .GET('/campaigns/{id}', { params: { path: { id } } })
      .then((result) => {
        const campaign = unwrap(result);
        setStored(campaign);
        setState(stateOf(campaign));
      })
      .catch((error: unknown) => setFormError(messageOf(error)));
  }, [id]);

  const filter = useDebounced(state ? filterOf(state) : undefined, 300);
  useEffect(() => {
    if (!filter) return;
    let stopped = false;
    api()
      .POST('/campaigns/audience', { body: { filter } })
      .then((result) => !stopped && setAudience({ count: unwrap(result).audience }))
      .catch((error: unknown) => !stopped && setAudience({ error: messageOf(error) }));
    return () => {
      stopped = true;
    };
  }, [JSON.stringify(filter)]);

  const clientId = state?.previewClient.trim();
  // An SMS without its text has nothing to show yet.
  const preview = usePreview(state && !(state.channel === 'sms' && state.text === '') ? { ...contentOf(state), ...(clientId ? { clientId } : {}) } : undefined);

  if (!state) return formError ? <p class="error">{formError}</p> : <p>Loading…</p>;
  // Once running or paused only endAt may change; the other fields stay visible but locked.
  const onlyEnd = stored !== undefined && stored.status !== 'scheduled';
  const set = (key: keyof FormState) => (event: Event) => setState({ ...state, [key]: (event.target as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setFormError(undefined);
    try {
      const body = bodyOf(state);
      const saved = stored
        ? unwrap(
            await api().PATCH('/campaigns/{id}', {
              params: { path: { id: stored.id } },
              body: (onlyEnd ? { endAt: body.endAt } : body) as Schemas['CampaignPatch'],
            }),
          )
        : unwrap(await api().POST('/campaigns', { body: body as Schemas['NewCampaign'] }));
      navigate(`campaigns/${saved.id}`);
    } catch (error) {
      const byField = fieldErrors(error);
      setErrors(byField);
      const known = ['channel', 'text', 'subject', 'html', 'title', 'url', 'startAt', 'endAt', 'filter', 'sendWindow', 'maxPerSecond', 'recurrence'];
      const shown = Object.keys(byField).some((key) => known.includes(key));
      setFormError(error instanceof ApiError && shown ? 'The campaign was not saved: see the fields marked below.' : messageOf(error));
    } finally {
      setSaving(false);
    }
  };

  const err = (...keys: string[]) => keys.map((key) => errors[key]).find(Boolean);
  return (
    <section aria-labelledby="form-title">
      <h1 id="form-title">{stored ? `Edit campaign #${stored.id}` : 'New campaign'}</h1>
      {formError && (
        <p class="error" role="alert">
          {formError}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <fieldset disabled={onlyEnd} aria-describedby={describedBy('channel', err('channel'))}>
          <legend>Channel</legend>
          <div class="row">
            {CHANNELS.map((channel) => (
              <label key={channel} class="check">
                <input type="radio" name="channel" value={channel} checked={state.channel === channel} onChange={set('channel')} /> {CHANNEL_LABELS[channel]}
              </label>
            ))}
          </div>
          {err('channel') && (
            <small id="channel-error" class="error" role="alert" data-field-error="channel">
              {err('channel')}
            </small>
          )}
        </fieldset>
        <fieldset disabled={onlyEnd}>
          <legend>Message</legend>
          {state.channel === 'email' && <Template id="subject" label="Subject (Liquid template)" rows={1} state={state} set={set} error={err('subject')} />}
          {state.channel === 'inapp' && <Template id="title" label="Title (Liquid template)" rows={1} state={state} set={set} error={err('title')} />}
          <Template id="text" label="Text (Liquid template)" rows={4} state={state} set={set} error={err('text')} hint={TEXT_HINTS[state.channel]} />
          {state.channel === 'email' && (
            <Template
              id="html"
              label="HTML (Liquid template, optional)"
              rows={6}
              state={state}
              set={set}
              error={err('html')}
              hint="Every {{ }} output is HTML-escaped, so a client's name or attribute shows as text."
            />
          )}
          {state.channel === 'inapp' && (
            <Field id="url" label="Link (optional: an https: URL or a path starting with /)" error={err('url')}>
              <input id="url" value={state.url} onInput={set('url')} placeholder="/orders/42" aria-describedby={describedBy('url', err('url'))} />
            </Field>
          )}
          <Field id="previewClient" label="Preview for client (id, optional)" hint="Without one, each variable shows as a placeholder such as <name>.">
            <input
              id="previewClient"
              value={state.previewClient}
              onInput={set('previewClient')}
              aria-describedby={describedBy('previewClient', undefined, 'hint')}
            />
          </Field>
          <ContentPreview preview={preview} />
        </fieldset>
        <fieldset>
          <legend>When</legend>
          <div class="row">
            <Field id="startAt" label="Start" error={err('startAt')}>
              <input
                id="startAt"
                type="datetime-local"
                disabled={onlyEnd}
                value={state.startAt}
                onInput={set('startAt')}
                aria-describedby={describedBy('startAt', err('startAt'))}
              />
            </Field>
            <Field id="endAt" label="End" error={err('endAt')}>
              <input id="endAt" type="datetime-local" value={state.endAt} onInput={set('endAt')} aria-describedby={describedBy('endAt', err('endAt'))} />
            </Field>
          </div>
          <div class="row" role="group" aria-labelledby="window-label">
            <span id="window-label" class="group-label">
              Send window in the client's local time (optional)
            </span>
            <Field id="windowFrom" label="From" error={err('sendWindow.from', 'sendWindow')}>
              <input
                id="windowFrom"
                type="time"
                disabled={onlyEnd}
                value={state.windowFrom}
                onInput={set('windowFrom')}
                aria-describedby={describedBy('windowFrom', err('sendWindow.from', 'sendWindow'))}
              />
            </Field>
            <Field id="windowTo" label="To" error={err('sendWindow.to')}>
              <input
                id="windowTo"
                type="time"
                disabled={onlyEnd}
                value={state.windowTo}
                onInput={set('windowTo')}
                aria-describedby={describedBy('windowTo', err('sendWindow.to'))}
              />
            </Field>
          </div>
          <Field id="maxPerSecond" label="Rate limit (messages per second, optional)" error={err('maxPerSecond')}>
            <input
              id="maxPerSecond"
              type="number"
              min={1}
              max={10000}
              inputMode="numeric"
              disabled={onlyEnd}
              value={state.maxPerSecond}
              onInput={set('maxPerSecond')}
              aria-describedby={describedBy('maxPerSecond', err('maxPerSecond'))}
            />
          </Field>
        </fieldset>
        <fieldset disabled={onlyEnd}>
          <legend>Recurrence (optional)</legend>
          <div class="row">
            <Field id="recurrenceKind" label="Repeats" error={err('recurrence')}>
              <select
                id="recurrenceKind"
                value={state.recurrenceKind}
                onChange={set('recurrenceKind')}
                aria-describedby={describedBy('recurrenceKind', err('recurrence'))}
              >
                <option value="">once</option>
                <option value="cron">on a cron schedule</option>
                <option value="rate">at a fixed rate</option>
              </select>
            </Field>
            {state.recurrenceKind && (
              <>
                <Field
                  id="recurrenceExpression"
                  label={state.recurrenceKind === 'cron' ? 'Cron (e.g. 0 10 * * 1)' : 'Rate (e.g. 1 hour)'}
                  error={err(`recurrence.${state.recurrenceKind}`)}
                >
                  <input
                    id="recurrenceExpression"
                    value={state.recurrenceExpression}
                    onInput={set('recurrenceExpression')}
                    aria-describedby={describedBy('recurrenceExpression', err(`recurrence.${state.recurrenceKind}`))}
                  />
                </Field>
                <Field id="recurrenceTimezone" label="Time zone" error={err('recurrence.timezone')}>
                  <input
                    id="recurrenceTimezone"
                    value={state.recurrenceTimezone}
                    onInput={set('recurrenceTimezone')}
                    aria-describedby={describedBy('recurrenceTimezone', err('recurrence.timezone'))}
                  />
                </Field>
                <Field id="runMinutes" label="Each run lasts (minutes)" error={err('recurrence.runMinutes')}>
                  <input
                    id="runMinutes"
                    type="number"
                    min={1}
                    value={state.runMinutes}
                    onInput={set('runMinutes')}
                    aria-describedby={describedBy('runMinutes', err('recurrence.runMinutes'))}
                  />
                </Field>
              </>
            )}
          </div>
        </fieldset>
        <fieldset disabled={onlyEnd}>
          <legend>Audience</legend>
          <div class="row">
            <Field id="operatorCodes" label="Operator codes (comma-separated)" error={err('filter.operatorCodes', 'filter')}>
              <input
                id="operatorCodes"
                value={state.operatorCodes}
                onInput={set('operatorCodes')}
                placeholder="900, 916"
                aria-describedby={describedBy('operatorCodes', err('filter.operatorCodes', 'filter'))}
              />
            </Field>
            <Field id="tags" label="Tags (comma-separated)" error={err('filter.tags')}>
              <input id="tags" value={state.tags} onInput={set('tags')} placeholder="vip" aria-describedby={describedBy('tags', err('filter.tags'))} />
            </Field>
          </div>
          <p class="audience" aria-live="polite" data-testid="audience-count">
            {audience.error
              ? `Audience unknown: ${audience.error}`
              : audience.count === undefined
                ? 'Counting the audience…'
                : `Audience: ${audience.count} client${audience.count === 1 ? '' : 's'}`}
          </p>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {stored ? 'Save changes' : 'Create campaign'}
          </button>
        </div>
      </form>
    </section>
  );
}
