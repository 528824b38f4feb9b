/** The unsubscribe link's pages (functions/api/unsubscribe-page.ts). */
import { describe, expect, it } from 'vitest';
import { unsubscribeConfirmPage, unsubscribedPage } from '../../functions/api/unsubscribe-page.js';

describe('unsubscribe pages', () => {
  it('asks, with a button that posts the one-click body to the same link', () => {
    const page = unsubscribeConfirmPage('/unsubscribe/abc.def', 'email');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<form method="post" action="/unsubscribe/abc.def">');
    expect(page.body).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page.body).toContain('Stop receiving e-mails from us?');
  });

  it('runs no script and loads nothing from elsewhere, and the form posts only here', () => {
    const page = unsubscribeConfirmPage('/unsubscribe/abc.def', 'email');
    expect(page.body).not.toMatch(/<script|<link|<img|src=/i);
    expect(page.headers?.['Content-Security-Policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.headers?.['Cache-Control']).toBe('no-store');
  });

  it('escapes the path it is given', () => {
    const page = unsubscribeConfirmPage('/unsubscribe/"><script>x</script>', 'sms');
    expect(page.body).toContain('action="/unsubscribe/&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(page.body).not.toContain('<script>');
  });

  it('says it is done, naming the channel', () => {
    expect(unsubscribedPage('email').body).toContain('You will receive no more e-mails from us.');
    expect(unsubscribedPage('sms').body).toContain('no more text messages');
  });
});
