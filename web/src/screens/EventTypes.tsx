/**
 * Event types: the list, a form to create or edit one (its steps, each previewed for its channel
 * through POST /campaigns/preview), and a test-fire form that fires an event for a client and shows
 * its steps' statuses live (GET /events/{id}, polled until every step is settled).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrors, messageOf, unwrap, type Schemas } from '../api/client.js';
import { usePoll } from '../hooks.js';
import { ContentPreview, usePreview } from '../preview.js';
import { Link, navigate } from '../router.js';
import { Field, StatusBadge } from '../ui.js';

type Step = Schemas['EventStep'];
type Channel = Step['channel'];
const CHANNELS: Channel[] = ['sms', 'email', 'inapp'];
/** The fields each channel takes beside `text` (functions/domain/channels/fields.ts). */
const CHANNEL_FIELDS: Record<Channel, ('subject' | 'html' | 'title' | 'url')[]> = { sms: [], email: ['subject', 'html'], inapp: ['title', 'url'] };
const blankStep = (): Step => ({ channel: 'sms', text: '' });

export function EventTypes() {
  const { data, error } = usePoll(async () => unwrap(await api().GET('/event-types', { params: { query: { limit: 100 } } })), 0, []);
  return (
    <section aria-labelledby="event-types-title">
      <h1 id="event-types-title">Event types</h1>
      <p>
        <Link to="event-types/new">New event type</Link>
      </p>
      {error && <p class="error">{error}</p>}
      {data && (
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Name</th>
              <th>Steps</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((type) => (
              <tr key={type.key}>
                <td>
                  <Link to={`event-types/${type.key}`}>{type.key}</Link>
                </td>
                <td>{type.name ?? ''}</td>
                <td>{type.steps.map((step) => `${step.channel}${step.delaySeconds ? ` +${step.delaySeconds}s` : ''}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * What a step's preview asks for: its channel's fields that are filled, once the one the channel
 * requires is (an SMS's text, an e-mail's subject, an in-app title); nothing before. `eventStep`:
 * its templates may read the event's variables, as PUT /event-types allows, shown as placeholders.
 */
function previewRequestOf(step: Step): Schemas['PreviewRequest'] | undefined {
  const required = { sms: step.text, email: step.subject, inapp: step.title }[step.channel];
  if (!required?.trim()) return undefined;
  const filled = (['text', ...CHANNEL_FIELDS[step.channel]] as const).filter((field) => step[field]);
  return { channel: step.channel, eventStep: true, ...Object.fromEntries(filled.map((field) => [field, step[field]])) };
}

/** A step's templates as its client would see them, with placeholders, previewed for its channel as a campaign's are. */
function StepPreview({ step, index }: { step: Step; index: number }) {
  const preview = usePreview(previewRequestOf(step));
  return <ContentPreview preview={preview} of={`step ${index + 1}`} />;
}

function StepEditor({
  step,
  index,
  errors,
  onChange,
  onRemove,
}: {
  step: Step;
  index: number;
  errors: Record<string, string>;
  onChange: (step: Step) => void;
  onRemove?: () => void;
}) {
  const id = (field: string) => `step-${index}-${field}`;
  const error = (field: string) => errors[`steps[${index}].${field}`];
  const set = (field: keyof Step) => (event: Event) => {
    const target = event.target as HTMLInputElement;
    const value = target.type === 'checkbox' ? target.checked : target.type === 'number' ? Number(target.value) : target.value;
    onChange({ ...step, [field]: value === '' ? undefined : value } as Step);
  };
  const setChannel = (event: Event) => {
    const channel = (event.target as HTMLSelectElement).value as Channel;
    // The other channels' fields go: the server refuses a field on the wrong channel.
    const { subject: _s, html: _h, title: _t, url: _u, ...rest } = step;
    onChange({ ...rest, channel });
  };
  return (
    <fieldset class="step" data-testid={`step-${index}`}>
      <legend>Step {index + 1}</legend>
      <Field id={id('channel')} label="Channel" error={error('channel')}>
        <select id={id('channel')} value={step.channel} onChange={setChannel}>
          {CHANNELS.map((channel) => (
            <option key={channel} value={channel}>
              {channel}
            </option>
          ))}
        </select>
      </Field>
      {CHANNEL_FIELDS[step.channel].map((field) => (
        <Field key={field} id={id(field)} label={field} error={error(field)}>
          <input id={id(field)} value={step[field] ?? ''} onInput={set(field)} />
        </Field>
      ))}
      <Field id={id('text')} label="Text (Liquid template)" error={error('text')} hint="Variables: the client's, and those the event gives">
        <textarea id={id('text')} rows={3} value={step.text} onInput={set('text')} />
      </Field>
      <Field id={id('delaySeconds')} label="Delay (seconds after the event)" error={error('delaySeconds')}>
        <input id={id('delaySeconds')} type="number" min={0} max={86400} value={step.delaySeconds ?? 0} onInput={set('delaySeconds')} />
      </Field>
      <Field id={id('unlessRead')} label="Only if an earlier in-app step is still unread" error={error('unlessRead')}>
        <input id={id('unlessRead')} type="checkbox" checked={step.unlessRead ?? false} onChange={set('unlessRead')} />
      </Field>
      <StepPreview step={step} index={index} />
      {onRemove && (
        <button type="button" onClick={onRemove}>
          Remove step {index + 1}
        </button>
      )}
    </fieldset>
  );
}

export function EventTypeForm({ typeKey }: { typeKey?: string }) {
  const [key, setKey] = useState(typeKey ?? '');
  const [name, setName] = useState('');
  const [steps, setSteps] = useState<Step[]>([blankStep()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState<string>();

  useEffect(() => {
    if (!typeKey) return;
    api()
      .GET('/event-types/{key}', { params: { path: { key: typeKey } } })
      .then((result) => {
        const type = unwrap(result);
        setName(type.name ?? '');
        setSteps(type.steps.map(({ unlessRead, ...step }) => ({ ...step, ...(unlessRead ? { unlessRead } : {}) })));
      })
      .catch((error: unknown) => setFormError(messageOf(error)));
  }, [typeKey]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setFormError(undefined);
    try {
      unwrap(await api().PUT('/event-types/{key}', { params: { path: { key } }, body: { ...(name ? { name } : {}), steps } }));
      setSaved(new Date().toLocaleTimeString());
      if (!typeKey) navigate(`event-types/${key}`);
    } catch (error) {
      setErrors(fieldErrors(error));
      setFormError(error instanceof ApiError ? `Not saved: ${error.message}` : messageOf(error));
    }
  };

  return (
    <section aria-labelledby="event-type-title">
      <h1 id="event-type-title">{typeKey ? `Event type ${typeKey}` : 'New event type'}</h1>
      {formError && (
        <p class="error" role="alert">
          {formError}
        </p>
      )}
      {saved && <p role="status">Saved at {saved}.</p>}
      <form onSubmit={submit} noValidate>
        <Field id="key" label="Key" error={errors.key} hint="Lower-case letters, digits, . _ -">
          <input id="key" value={key} disabled={typeKey !== undefined} onInput={(event) => setKey((event.target as HTMLInputElement).value)} />
        </Field>
        <Field id="name" label="Name" error={errors.name}>
          <input id="name" value={name} onInput={(event) => setName((event.target as HTMLInputElement).value)} />
        </Field>
        {steps.map((step, index) => (
          <StepEditor
            key={index}
            step={step}
            index={index}
            errors={errors}
            onChange={(changed) => setSteps(steps.map((old, i) => (i === index ? changed : old)))}
            {...(steps.length > 1 ? { onRemove: () => setSteps(steps.filter((_, i) => i !== index)) } : {})}
          />
        ))}
        {steps.length < 5 && (
          <button type="button" onClick={() => setSteps([...steps, blankStep()])}>
            Add a step
          </button>
        )}
        <button type="submit">Save</button>
      </form>
      {typeKey && <TestFire typeKey={typeKey} />}
    </section>
  );
}

/** Fires one event of the type for a client and follows its steps until each is settled. */
function TestFire({ typeKey }: { typeKey: string }) {
  const [clientId, setClientId] = useState('');
  const [variables, setVariables] = useState('{}');
  const [eventId, setEventId] = useState<string>();
  const [error, setError] = useState<string>();
  const [settled, setSettled] = useState(false);
  const { data } = usePoll(
    async () => {
      if (!eventId) return undefined;
      const event = unwrap(await api().GET('/events/{id}', { params: { path: { id: eventId } } }));
      if (event.steps.every((step) => step.status !== 'scheduled' && step.status !== 'queued')) setSettled(true);
      return event;
    },
    eventId && !settled ? 1000 : 0,
    [eventId],
  );

  const fire = async (submitted: Event) => {
    submitted.preventDefault();
    setError(undefined);
    try {
      const parsed = JSON.parse(variables || '{}') as Schemas['NewEvent']['variables'];
      const fired = unwrap(await api().POST('/events', { body: { type: typeKey, clientId, variables: parsed } }));
      setSettled(false);
      setEventId(fired.id);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  return (
    <section aria-labelledby="test-fire-title">
      <h2 id="test-fire-title">Test fire</h2>
      <form onSubmit={fire} noValidate>
        <Field id="fire-client" label="Client id">
          <input id="fire-client" value={clientId} onInput={(event) => setClientId((event.target as HTMLInputElement).value)} />
        </Field>
        <Field id="fire-variables" label="Variables (JSON)">
          <input id="fire-variables" value={variables} onInput={(event) => setVariables((event.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Fire</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <table data-testid="event-steps">
          <caption>Event {data.id}</caption>
          <thead>
            <tr>
              <th>Step</th>
              <th>Channel</th>
              <th>Status</th>
              <th>Message</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {data.steps.map((step) => (
              <tr key={step.index}>
                <td>{step.index + 1}</td>
                <td>{step.channel}</td>
                <td>
                  <StatusBadge status={step.status} />
                </td>
                <td>{step.messageId ?? ''}</td>
                <td>{step.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
