/**
 * A message's content previewed for its channel through POST /campaigns/preview, the one way both
 * the campaign form and the event-type form's steps ask for a preview and show it: an SMS with
 * its encoding and segments, an e-mail's subject, html (sandboxed) and text, an in-app card.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, unwrap, type Channel, type Schemas } from './api/client.js';
import { useDebounced } from './hooks.js';

/** The last preview answered, and the channel it was asked for (the form's may have changed since). */
export interface PreviewState {
  value?: Schemas['Preview'];
  channel?: Channel;
  error?: string;
}

/**
 * The preview of `request` once it has stayed unchanged for 300 ms; an answer that comes after a
 * newer request is dropped. `undefined` (nothing to preview yet) clears it.
 */
export function usePreview(request: Schemas['PreviewRequest'] | undefined): PreviewState {
  const settled = useDebounced(request, 300);
  const [preview, setPreview] = useState<PreviewState>({});
  useEffect(() => {
    if (settled === undefined) return setPreview({});
    let stopped = false;
    api()
      .POST('/campaigns/preview', { body: settled })
      .then((result) => !stopped && setPreview({ value: unwrap(result), channel: settled.channel ?? 'sms' }))
      .catch((error: unknown) => !stopped && setPreview({ error: messageOf(error) }));
    return () => {
      stopped = true;
    };
  }, [JSON.stringify(settled)]);
  return preview;
}

/**
 * The rendered content as its channel shows it, and the server's refusal (it names the field, e.g.
 * `subject: is not a valid template: …`). `of` tells one preview from another on a page that
 * shows several (`step 2`): in its heading, its iframe's title and its card's name. The html goes into an iframe with
 * an empty sandbox: no script runs in it and it gets an opaque origin, so even an operator's own
 * <script> in the template cannot reach the app or its signed session.
 */
export function ContentPreview({ preview, of }: { preview: PreviewState; of?: string }) {
  const { value, channel } = preview;
  const which = of ? ` of ${of}` : '';
  return (
    <div class="preview" aria-live="polite">
      <h2 class="small">Preview{which}</h2>
      {preview.error && <p class="error">{preview.error}</p>}
      {value && channel === 'sms' && (
        <>
          <p class="rendered" data-testid="preview-text">
            {value.text}
          </p>
          <p data-testid="preview-cost">
            {value.encoding}, {value.characters} characters, {value.segments} segment{value.segments === 1 ? '' : 's'}
          </p>
        </>
      )}
      {value && channel === 'email' && (
        <>
          <p data-testid="preview-subject">
            <b>Subject:</b> {value.subject}
          </p>
          {value.html !== undefined ? (
            <iframe class="html-preview" title={`HTML part preview${which}`} sandbox="" srcdoc={value.html} data-testid="preview-html" />
          ) : (
            <p>No html part: mail clients show the plain text.</p>
          )}
          <pre class="rendered" data-testid="preview-text">
            {value.text}
          </pre>
        </>
      )}
      {value && channel === 'inapp' && (
        <article class="inapp-card" aria-label={`In-app message preview${which}`} data-testid="preview-card">
          <h3 data-testid="preview-title">{value.title}</h3>
          {value.text && <p data-testid="preview-text">{value.text}</p>}
          {value.url && (
            <p class="small">
              Opens <span data-testid="preview-url">{value.url}</span>
            </p>
          )}
        </article>
      )}
    </div>
  );
}
