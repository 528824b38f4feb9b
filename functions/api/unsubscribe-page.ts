/**
 * The pages of the public unsubscribe link (RFC 8058). GET shows a confirm button and changes
 * nothing (mail scanners fetch every link); the button POSTs `List-Unsubscribe=One-Click` to the
 * same URL, as a mail client's one-click unsubscribe does, and the POST answers the second page.
 * No script, no outside resource: the policy forbids them, and the form may post only here.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Channel } from '../domain/channels/channel.js';

const NAMES: Record<Channel, string> = { sms: 'text messages', email: 'e-mails', inapp: 'in-app messages' };

const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

function page(title: string, body: string): APIGatewayProxyResult {
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(title)}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.5rem 1rem}</style>
</head>
<body>
${body}
</body>
</html>
`;
  return { statusCode: 200, headers: { ...HEADERS }, body: html };
}

/** GET /unsubscribe/{token}: the question, with the button that POSTs to `path` (the link's own path). */
export function unsubscribeConfirmPage(path: string, channel: Channel): APIGatewayProxyResult {
  return page(
    'Unsubscribe',
    `  <h1>Unsubscribe</h1>
  <p>Stop receiving ${NAMES[channel]} from us?</p>
  <form method="post" action="${escapeHtml(path)}">
    <input type="hidden" name="List-Unsubscribe" value="One-Click">
    <button type="submit">Unsubscribe</button>
  </form>`,
  );
}

/** POST /unsubscribe/{token}: done (also when it was done before: a second POST changes nothing and says the same). */
export function unsubscribedPage(channel: Channel): APIGatewayProxyResult {
  return page('Unsubscribed', `  <h1>Unsubscribed</h1>\n  <p>You will receive no more ${NAMES[channel]} from us.</p>`);
}
