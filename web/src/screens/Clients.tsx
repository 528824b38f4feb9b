/** The client directory: search (phone, tag, operator code), add, edit (e-mail, opt-outs per channel), opt out, and CSV import through POST /clients/batch. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrors, messageOf, unwrap, type Client, type Schemas } from '../api/client.js';
import { clientOf, parseCsv, toCsv } from '../csv.js';
import { useCanChange } from '../access.js';
import { Link, useRoute } from '../router.js';
import { describedBy, Field } from '../ui.js';

interface Search {
  phone: string;
  tag: string;
  operatorCode: string;
}

export function Clients() {
  const { query } = useRoute();
  const [search, setSearch] = useState<Search>({ phone: '', tag: '', operatorCode: '' });
  const [applied, setApplied] = useState<Search>(search);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: Client[]; nextCursor: string | null }>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<Client | 'new' | null>(null);
  const [version, setVersion] = useState(0);
  const only = query.get('id');
  const cursor = cursors[cursors.length - 1];
  const canChange = useCanChange();

  useEffect(() => {
    let stopped = false;
    setError(undefined);
    const load = async () => {
      if (only) return { items: [unwrap(await api().GET('/clients/{id}', { params: { path: { id: only } } }))], nextCursor: null };
      const params = {
        limit: 20,
        ...(applied.phone ? { phone: applied.phone } : {}),
        ...(applied.tag ? { tag: applied.tag } : {}),
        ...(applied.operatorCode ? { operatorCode: applied.operatorCode } : {}),
        ...(cursor ? { cursor } : {}),
      };
      return unwrap(await api().GET('/clients', { params: { query: params } }));
    };
    load()
      .then((loaded) => !stopped && setPage(loaded))
      .catch((caught: unknown) => !stopped && setError(messageOf(caught)));
    return () => {
      stopped = true;
    };
  }, [applied, cursor, only, version]);

  const refresh = () => setVersion((value) => value + 1);
  const optOut = async (client: Client) => {
    try {
      unwrap(await api().PATCH('/clients/{id}', { params: { path: { id: client.id } }, body: { optedOut: !client.optedOut } }));
      refresh();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  const setField = (key: keyof Search) => (event: Event) => setSearch({ ...search, [key]: (event.target as HTMLInputElement).value.trim() });

  return (
    <section aria-labelledby="clients-title">
      <div class="heading">
        <h1 id="clients-title">Clients</h1>
        {canChange && (
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            Add client
          </button>
        )}
      </div>
      {editing && (
        <ClientForm
          client={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            refresh();
          }}
        />
      )}
      <form
        class="search row"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(search);
          setCursors([undefined]);
          if (only) history.replaceState(null, '', location.pathname);
        }}
      >
        <Field id="search-phone" label="Phone">
          <input id="search-phone" inputMode="numeric" placeholder="79001234567" value={search.phone} onInput={setField('phone')} />
        </Field>
        <Field id="search-tag" label="Tag">
          <input id="search-tag" value={search.tag} onInput={setField('tag')} />
        </Field>
        <Field id="search-operator" label="Operator code">
          <input id="search-operator" inputMode="numeric" value={search.operatorCode} onInput={setField('operatorCode')} />
        </Field>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && page.items.length === 0 && <p>No clients found.</p>}
      {page && page.items.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Clients">
            <thead>
              <tr>
                <th scope="col">Phone</th>
                <th scope="col">E-mail</th>
                <th scope="col">Name</th>
                <th scope="col">Tag</th>
                <th scope="col">Operator</th>
                <th scope="col">Time zone</th>
                <th scope="col">Opted out</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((client) => (
                <tr key={client.id} data-id={client.id} data-phone={client.phone} data-email={client.email}>
                  <td>{client.phone ?? ''}</td>
                  <td>{client.email ?? ''}</td>
                  <td>{client.name ?? ''}</td>
                  <td>{client.tag ?? ''}</td>
                  <td>{client.operatorCode ?? ''}</td>
                  <td>{client.timezone}</td>
                  <td>{optedOutOf(client)}</td>
                  <td class="row-actions">
                    {canChange && (
                      <>
                        <button type="button" onClick={() => setEditing(client)} aria-label={`Edit ${labelOf(client)}`}>
                          Edit
                        </button>
                        <button type="button" onClick={() => void optOut(client)} aria-label={`${client.optedOut ? 'Opt in' : 'Opt out'} ${labelOf(client)}`}>
                          {client.optedOut ? 'Opt in' : 'Opt out'}
                        </button>
                        <Link to={`clients/${encodeURIComponent(client.id)}/inbox`}>
                          Inbox<span class="visually-hidden"> of {labelOf(client)}</span>
                        </Link>
                      </>
                    )}
                  </td>
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
      {canChange && <Import onImported={refresh} />}
    </section>
  );
}

/** How a client is named on its buttons and form: its phone, or its e-mail address when it has no phone. */
const labelOf = (client: Client) => client.phone ?? client.email ?? client.id;

/** `yes` (every channel), the channels it opted out of, or `no`. */
const optedOutOf = (client: Client) => (client.optedOut ? 'yes' : client.optOuts.length > 0 ? client.optOuts.join(', ') : 'no');

const CHANNEL_NAMES = { sms: 'SMS', email: 'E-mail', inapp: 'In-app' } as const;
type Channel = keyof typeof CHANNEL_NAMES;
const sameChannels = (a: readonly Channel[], b: readonly Channel[]) => a.length === b.length && a.every((channel) => b.includes(channel));

function ClientForm({ client, onDone }: { client?: Client; onDone: () => void }) {
  const [optOuts, setOptOuts] = useState<Channel[]>(client?.optOuts ?? []);
  const [values, setValues] = useState({
    phone: client?.phone ?? '',
    email: client?.email ?? '',
    timezone: client?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    tag: client?.tag ?? '',
    operatorCode: client?.operatorCode ?? '',
    name: client?.name ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const set = (key: keyof typeof values) => (event: Event) => setValues({ ...values, [key]: (event.target as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setFormError(undefined);
    try {
      if (client) {
        const patch: Schemas['ClientPatch'] = {};
        if (values.phone !== (client.phone ?? '')) patch.phone = values.phone || null;
        if (values.email !== (client.email ?? '')) patch.email = values.email || null;
        if (values.timezone !== client.timezone) patch.timezone = values.timezone;
        if (values.operatorCode !== (client.operatorCode ?? '') && values.operatorCode) patch.operatorCode = values.operatorCode;
        if (!sameChannels(optOuts, client.optOuts)) patch.optOuts = optOuts;
        if (values.tag !== (client.tag ?? '')) patch.tag = values.tag || null;
        if (values.name !== (client.name ?? '')) patch.name = values.name || null;
        if (Object.keys(patch).length > 0) unwrap(await api().PATCH('/clients/{id}', { params: { path: { id: client.id } }, body: patch }));
      } else {
        const body: Schemas['NewClient'] = {
          ...(values.phone ? { phone: values.phone } : {}),
          ...(values.email ? { email: values.email } : {}),
          timezone: values.timezone,
          // Left out when none is ticked: a suppressed address then keeps the client opted out of it.
          ...(optOuts.length > 0 ? { optOuts } : {}),
          ...(values.tag ? { tag: values.tag } : {}),
          ...(values.operatorCode ? { operatorCode: values.operatorCode } : {}),
          ...(values.name ? { name: values.name } : {}),
        };
        unwrap(await api().POST('/clients', { body }));
      }
      onDone();
    } catch (caught) {
      setErrors(fieldErrors(caught));
      setFormError(caught instanceof ApiError && caught.problem.errors?.length ? 'Not saved: see the fields marked below.' : messageOf(caught));
    }
  };
  const fields: [keyof typeof values, string][] = [
    ['phone', 'Phone (7XXXXXXXXXX)'],
    ['email', 'E-mail address'],
    ['timezone', 'Time zone'],
    ['tag', 'Tag'],
    ['operatorCode', 'Operator code'],
    ['name', 'Name'],
  ];
  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="client-form-title">
      <h2 id="client-form-title">{client ? `Edit ${labelOf(client)}` : 'New client'}</h2>
      {formError && (
        <p class="error" role="alert">
          {formError}
        </p>
      )}
      <div class="row">
        {fields.map(([key, label]) => (
          <Field key={key} id={`client-${key}`} label={label} error={errors[key]}>
            <input id={`client-${key}`} value={values[key]} onInput={set(key)} aria-describedby={describedBy(`client-${key}`, errors[key])} />
          </Field>
        ))}
      </div>
      <fieldset aria-describedby={errors.optOuts ? 'client-optOuts-error' : undefined}>
        <legend>Opted out of</legend>
        <div class="row">
          {(Object.keys(CHANNEL_NAMES) as Channel[]).map((channel) => (
            <label key={channel} class="check">
              <input
                type="checkbox"
                name="optOuts"
                value={channel}
                checked={optOuts.includes(channel)}
                onChange={(event) => {
                  const checked = (event.target as HTMLInputElement).checked;
                  setOptOuts(checked ? [...optOuts, channel] : optOuts.filter((other) => other !== channel));
                }}
              />{' '}
              {CHANNEL_NAMES[channel]}
            </label>
          ))}
        </div>
        {errors.optOuts && (
          <small id="client-optOuts-error" class="error" role="alert">
            {errors.optOuts}
          </small>
        )}
      </fieldset>
      <div class="actions">
        <button type="button" onClick={onDone}>
          Close
        </button>
        <button type="submit" class="primary">
          {client ? 'Save client' : 'Add client'}
        </button>
      </div>
    </form>
  );
}

/** Rows per POST /clients/batch: well under the API's 1,000 rows and 1 MB, so the bar moves often. */
const CHUNK_ROWS = 250;

function Import({ onImported }: { onImported: () => void }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [summary, setSummary] = useState<{ created: number; failed: number; rejectedUrl?: string } | null>(null);
  const [error, setError] = useState<string>();

  const run = async (file: File) => {
    setError(undefined);
    setSummary(null);
    let parsed;
    try {
      parsed = parseCsv(await file.text());
    } catch (caught) {
      return setError(`${file.name} is not valid CSV: ${messageOf(caught)}`);
    }
    const { columns, records } = parsed;
    if (!(columns.includes('phone') || columns.includes('email')) || !columns.includes('timezone'))
      return setError(`${file.name}: the header row must name at least a phone or email column, and timezone`);
    const rejected: string[][] = [];
    let created = 0;
    setProgress({ done: 0, total: records.length });
    try {
      for (let start = 0; start < records.length; start += CHUNK_ROWS) {
        const chunk = records.slice(start, start + CHUNK_ROWS);
        const answer = unwrap(await api().POST('/clients/batch', { body: { clients: chunk.map((record) => clientOf(columns, record)) } }));
        created += answer.created;
        for (const result of answer.results) {
          if (result.status === 201) continue;
          const reason = result.error?.errors?.length
            ? result.error.errors.map((entry) => `${entry.field}: ${entry.message}`).join('; ')
            : (result.error?.detail ?? String(result.status));
          rejected.push([...(chunk[result.index] ?? []), String(result.status), reason]);
        }
        setProgress({ done: Math.min(records.length, start + chunk.length), total: records.length });
      }
    } catch (caught) {
      setError(`The import stopped: ${messageOf(caught)}`);
    }
    const rejectedUrl = rejected.length
      ? URL.createObjectURL(new Blob([toCsv([[...columns, 'status', 'error'], ...rejected])], { type: 'text/csv' }))
      : undefined;
    setSummary({ created, failed: rejected.length, ...(rejectedUrl ? { rejectedUrl } : {}) });
    onImported();
  };

  return (
    <section class="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import from CSV</h2>
      <p class="hint">
        A header row naming the columns: <code>phone</code> or <code>email</code> (or both), <code>timezone</code>, and optionally <code>tag</code>,{' '}
        <code>operatorCode</code>, <code>name</code>, <code>attributes.&lt;key&gt;</code>.
      </p>
      <div class="field">
        <label for="import-file">CSV file</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => {
            const file = (event.target as HTMLInputElement).files?.[0];
            if (file) void run(file);
          }}
        />
      </div>
      {progress && (
        <div class="progress-line">
          <progress id="import-progress" max={progress.total || 1} value={progress.done} aria-label="Import progress" />
          <small data-testid="import-progress">
            {progress.done} of {progress.total} rows
          </small>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {summary && (
        <p data-testid="import-summary" role="status">
          {summary.created} created, {summary.failed} rejected.{' '}
          {summary.rejectedUrl && (
            <a href={summary.rejectedUrl} download="rejected.csv">
              Download the rejected rows (CSV)
            </a>
          )}
        </p>
      )}
    </section>
  );
}
