/** The e-mail channel's own rules (functions/domain/channels/email.ts): addresses, masking, rendering with html escaped, part sizes, tags and SES's answers. */
import { describe, expect, it } from 'vitest';
import {
  checkEmail,
  checkEmailContent,
  classifySesFailure,
  createEmailRules,
  EMAIL_PART_MAX_BYTES,
  EmailPartError,
  emailTagsOf,
  maskEmail,
  messageOfTags,
  normalizeEmail,
  previewEmail,
  UNSUBSCRIBE_PLACEHOLDER,
  renderEmailContent,
  renderEmailNotice,
  utf8Length,
} from '../../functions/domain/channels/email.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { messageId, type MessageRecord } from '../../functions/domain/messages.js';
import { TemplateRenderError } from '../../functions/domain/templates.js';

const URL = 'https://herald.example/unsubscribe/abc.def';

describe('normalizeEmail', () => {
  it.each([
    ['jane@example.com', 'jane@example.com'],
    ['Jane.Doe@Example.COM', 'jane.doe@example.com'],
    ['bounce+campaign-7@simulator.amazonses.com', 'bounce+campaign-7@simulator.amazonses.com'],
    ["o'brien_{x}@mail.example.co.uk", "o'brien_{x}@mail.example.co.uk"],
    ['a@xn--bcher-kva.xn--p1ai', 'a@xn--bcher-kva.xn--p1ai'],
  ])('takes %s as %s', (input, stored) => {
    expect(normalizeEmail(input)).toBe(stored);
  });

  it.each([
    ['empty', ''],
    ['no @', 'jane.example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'jane@'],
    ['a single-label domain', 'jane@localhost'],
    ['a numeric top label', 'jane@example.123'],
    ['two @', 'jane@doe@example.com'],
    ['a display name', 'Jane <jane@example.com>'],
    ['a space', 'jane doe@example.com'],
    ['a line break (header injection)', 'jane@example.com\r\nBcc: all@example.com'],
    ['a comma (a second recipient)', 'jane@example.com,joe@example.com'],
    ['a leading dot', '.jane@example.com'],
    ['two dots', 'jane..doe@example.com'],
    ['a hyphen at a label edge', 'jane@-example.com'],
    ['non-ASCII', 'jöe@example.com'],
    ['a quoted local part', '"jane doe"@example.com'],
    ['an IP literal', 'jane@[127.0.0.1]'],
    ['a local part of 65 characters', `${'a'.repeat(65)}@example.com`],
  ])('refuses %s', (_why, input) => {
    expect(normalizeEmail(input)).toBeUndefined();
  });

  it('takes 254 characters and refuses 255', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(61)}.com`;
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(normalizeEmail(at254)).toBe(at254);
    expect(normalizeEmail(`a${at254}`)).toBeUndefined();
  });
});

describe('checkEmail', () => {
  it('answers the lower-cased address', () => {
    expect(checkEmail('JANE@EXAMPLE.COM')).toBe('jane@example.com');
  });
  it('names the field, and says when it is too long', () => {
    expect(() => checkEmail('nope', 'email')).toThrow(expect.objectContaining({ fields: [{ field: 'email', message: 'is not an e-mail address' }] }));
    expect(() => checkEmail(`${'a'.repeat(250)}@example.com`, 'to')).toThrow(
      expect.objectContaining({ fields: [{ field: 'to', message: 'is longer than 254 characters' }] }),
    );
  });
});

describe('maskEmail', () => {
  it('keeps the first letters and the top-level domain only', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@e***.com');
    expect(maskEmail('bounce+7@simulator.amazonses.com')).toBe('b***@s***.com');
  });
  it('never contains the local part or the domain', () => {
    const masked = maskEmail('jane.doe@example.com');
    expect(masked).not.toContain('jane');
    expect(masked).not.toContain('example');
  });
  it('masks what is not an address entirely', () => {
    expect(maskEmail('nothing')).toBe('***');
  });
});

describe('checkEmailContent', () => {
  it('requires a subject', () => {
    expect(() => checkEmailContent({ text: 'hi' })).toThrow(expect.objectContaining({ fields: [{ field: 'subject', message: 'is required for e-mail' }] }));
    expect(() => checkEmailContent({ subject: ' ', text: 'hi' })).toThrow(ValidationError);
  });
  it('answers the variables of every part, unsubscribeUrl allowed', () => {
    expect(
      checkEmailContent({ subject: 'Hi {{ name }}', text: '{{ attributes.city }} {{ unsubscribeUrl }}', html: '<p>{{ tag }} {{ attributes.plan }}</p>' }),
    ).toEqual({ scalars: ['name', 'tag'], attributes: ['city', 'plan'] });
  });
  it.each([
    ['subject', { subject: '{{ nope }}', text: 'x' }],
    ['text', { subject: 'x', text: '{% if %}' }],
    ['html', { subject: 'x', text: 'x', html: '{{ name | no_such_filter }}' }],
    ['html', { subject: 'x', text: 'x', html: '{{ secret }}' }],
  ])('names %s when it is at fault', (field, content) => {
    expect(() => checkEmailContent(content)).toThrow(expect.objectContaining({ fields: [expect.objectContaining({ field })] }));
  });
  it('takes an html template longer than a text template may be (parsed by the html engine)', () => {
    const html = `<p>${'x'.repeat(50_000)}</p>{{ name }}`;
    expect(checkEmailContent({ subject: 's', text: 't', html })).toEqual({ scalars: ['name'], attributes: [] });
  });
});

describe('renderEmailContent', () => {
  const content = {
    subject: 'Hello {{ name }}',
    text: 'Dear {{ name }}, from {{ attributes.city }}. Leave: {{ unsubscribeUrl }}',
    html: '<p>Dear <b>{{ name }}</b> of {{ attributes.city }}</p><a href="{{ unsubscribeUrl }}">unsubscribe</a>',
  };

  it('escapes every output in html and leaves text and subject as they are: a name cannot inject markup', () => {
    const name = '<script>alert("x")</script>';
    const rendered = renderEmailContent(content, { name, attributes: { city: `O'Hare & <i>Co</i>` } }, URL);
    expect(rendered.html).toBe(
      '<p>Dear <b>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</b> of O&#39;Hare &amp; &lt;i&gt;Co&lt;/i&gt;</p>' + `<a href="${URL}">unsubscribe</a>`,
    );
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.text).toBe(`Dear ${name}, from O'Hare & <i>Co</i>. Leave: ${URL}`);
    expect(rendered.subject).toBe(`Hello ${name}`);
  });

  it.each([
    ['raw', '{{ name | raw }}'],
    ['echo', '{% echo name %}'],
    ['echo with raw', '{% liquid echo name | raw %}'],
    ['an assigned value', '{% assign n = name %}{{ n }}'],
    ['a value captured (escaped twice: once inside, once out)', '{% capture n %}{{ name }}{% endcapture %}{{ n }}'],
    ['a value built by filters', '{{ name | append: "<i>" | prepend: "</p>" }}'],
    ['cycle', '{% cycle name, "b" %}'],
  ])('escapes %s in html too', (_way, html) => {
    const rendered = renderEmailContent({ subject: 's', text: 't', html }, { name: '<b>x</b>' }, URL);
    expect(rendered.html).not.toMatch(/<[a-z/]/);
    expect(rendered.html).toMatch(/&(amp;)?lt;b&(amp;)?gt;x/);
  });

  it('keeps a subject on one line', () => {
    expect(renderEmailContent({ subject: 'Hi {{ name }}', text: 't' }, { name: 'a\r\nBcc: x@example.com' }, URL).subject).toBe('Hi a Bcc: x@example.com');
  });

  it('leaves html out when there is none', () => {
    expect(renderEmailContent({ subject: 's', text: 't' }, undefined, URL)).toEqual({ subject: 's', text: 't' });
  });

  it('refuses a part larger than 100 KB, naming it, and takes one of exactly 100 KB', () => {
    const exact = 'é'.repeat(EMAIL_PART_MAX_BYTES / 2);
    expect(renderEmailContent({ subject: 's', text: exact }, undefined, URL).text).toBe(exact);
    const tooLarge = () => renderEmailContent({ subject: 's', text: 't', html: `${exact}{{ name }}` }, { name: 'x' }, URL);
    expect(tooLarge).toThrow(EmailPartError);
    expect(tooLarge).toThrow(`html: renders to more than ${EMAIL_PART_MAX_BYTES.toLocaleString('en-US')} bytes`);
  });

  it('stops an html rendering as soon as its escaped output is past 100 KB, as every channel rendering stops', () => {
    // Each turn writes 1,250 escaped bytes, so the limit is passed on the 82nd of 200,000 turns: a
    // rendering that ran on would be stopped by LiquidJS's render time, with another message.
    const html = '{% for i in (1..200000) %}{{ name }}{% endfor %}';
    expect(() => renderEmailContent({ subject: 's', text: 't', html }, { name: '<'.repeat(250) }, URL)).toThrow(
      `html: renders to more than ${EMAIL_PART_MAX_BYTES.toLocaleString('en-US')} bytes`,
    );
  });

  it('counts escaped html as it is sent: five characters for each <', () => {
    const name = '<'.repeat(EMAIL_PART_MAX_BYTES / 4 + 1);
    expect(() => renderEmailContent({ subject: 's', text: 't', html: '{{ name }}' }, { name }, URL)).toThrow(/html: renders to/);
  });
});

describe('renderEmailNotice', () => {
  it('turns a part that renders too large into a 400 naming the part', () => {
    const error = (() => {
      try {
        renderEmailNotice({ subject: 's', text: '{{ name }}' }, { name: 'x'.repeat(EMAIL_PART_MAX_BYTES + 1) }, URL);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([
      { field: 'text', message: `renders to more than ${EMAIL_PART_MAX_BYTES.toLocaleString('en-US')} bytes` },
    ]);
  });
});

describe('utf8Length', () => {
  it.each(['', 'abc', 'é', '€', '😀', 'a😀é€', '\ud800'])('agrees with TextEncoder for %j', (text) => {
    expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});

describe('createEmailRules', () => {
  const rules = createEmailRules({ unsubscribeUrl: (clientId) => `https://herald.example/unsubscribe/token-of-${clientId}` });
  const base: MessageRecord & { email?: string } = {
    id: messageId(7, 3, 2),
    clientId: 'c1',
    phone: '',
    status: 'queued',
    attempts: 0,
    email: 'jane@example.com',
  };

  it('renders a campaign message from its variables, with the client unsubscribe link', () => {
    const message = rules.render({ text: 'Hi {{ name }} {{ unsubscribeUrl }}', subject: 'For {{ name }}', html: '<p>{{ name }}</p>' } as never, {
      ...base,
      vars: { name: 'A&B' },
    });
    expect(message).toEqual({
      channel: 'email',
      id: messageId(7, 3, 2),
      to: 'jane@example.com',
      unsubscribeUrl: 'https://herald.example/unsubscribe/token-of-c1',
      subject: 'For A&B',
      text: 'Hi A&B https://herald.example/unsubscribe/token-of-c1',
      html: '<p>A&amp;B</p>',
    });
  });

  it('sends a notice as it was rendered when posted', () => {
    const message = rules.render({ text: '' }, { ...base, id: 5, text: 'rendered', subject: 'Subject', html: '<p>kept</p>' } as never);
    expect(message).toMatchObject({ id: 5, subject: 'Subject', text: 'rendered', html: '<p>kept</p>' });
  });

  it('fails the message, not the chunk, without an address or a subject', () => {
    expect(() => rules.render({ text: 'x', subject: 's' } as never, { ...base, email: undefined } as never)).toThrow(TemplateRenderError);
    expect(() => rules.render({ text: 'x' }, base)).toThrow(TemplateRenderError);
  });

  it('logs the address masked', () => {
    expect(rules.logFields(base)).toEqual({ email: 'j***@e***.com' });
  });
});

describe('emailTagsOf and messageOfTags', () => {
  it('tags a campaign message with its campaign and message ids', () => {
    const id = messageId(42, 10, 3);
    expect(emailTagsOf(id)).toEqual([
      { Name: 'campaignId', Value: '42' },
      { Name: 'messageId', Value: String(id) },
    ]);
    expect(messageOfTags({ campaignId: ['42'], messageId: [String(id)] })).toEqual({ messageId: id, campaignId: '42' });
  });
  it('tags a notice with its id', () => {
    expect(emailTagsOf(77)).toEqual([
      { Name: 'noticeId', Value: '77' },
      { Name: 'messageId', Value: '77' },
    ]);
    expect(messageOfTags({ noticeId: ['77'], messageId: ['77'], 'ses:configuration-set': ['herald'] })).toEqual({ messageId: 77, noticeId: 77 });
  });
  it("tags an event step's notice with its event too, and only a notice with an event id", () => {
    const eventId = 'aB3dE5fG7hJ9kL1m';
    const tags = emailTagsOf(77, eventId);
    expect(tags).toEqual([
      { Name: 'noticeId', Value: '77' },
      { Name: 'messageId', Value: '77' },
      { Name: 'eventId', Value: eventId },
    ]);
    const asSesGives = Object.fromEntries(tags.map(({ Name, Value }) => [Name, [Value]]));
    expect(messageOfTags(asSesGives)).toEqual({ messageId: 77, noticeId: 77, eventId });
    // Negative controls: a campaign's message is no event's; a tag that is not an event id is left out, both ways.
    expect(emailTagsOf(messageId(42, 10, 3), eventId).map(({ Name }) => Name)).toEqual(['campaignId', 'messageId']);
    expect(emailTagsOf(77, 'not an id')).toEqual(emailTagsOf(77));
    expect(messageOfTags({ ...asSesGives, eventId: ['x'] })).toEqual({ messageId: 77, noticeId: 77 });
  });
  it.each([
    ['no tags', {}],
    ['a campaign that does not own the message', { campaignId: ['43'], messageId: [String(messageId(42, 0, 0))] }],
    ['a notice id that is not the message id', { noticeId: ['78'], messageId: ['77'] }],
    ['a message id that is not a number', { campaignId: ['1'], messageId: ['x'] }],
  ])('leads nowhere from %s', (_why, tags) => {
    expect(messageOfTags(tags)).toBeUndefined();
  });
});

describe('classifySesFailure', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['LimitExceededException', 400],
    ['ThrottlingException', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['SomethingNew', 502],
  ])('retries %s (HTTP %i)', (name, status) => {
    expect(classifySesFailure({ name, status })).toEqual({ kind: 'retryable', error: `${name} (HTTP ${status})` });
  });
  it.each(['AbortError', 'TimeoutError', 'RequestTimeout'])('retries a timeout (%s)', (name) => {
    expect(classifySesFailure({ name })).toEqual({ kind: 'retryable', error: 'timeout' });
  });
  it.each(['ECONNREFUSED', 'ECONNRESET'])('retries a network error (%s)', (name) => {
    expect(classifySesFailure({ name })).toEqual({ kind: 'retryable', error: `network: ${name}` });
  });
  it.each(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'SomethingNew'])(
    'fails %s at once: the message is refused',
    (name) => {
      expect(classifySesFailure({ name, status: 400 })).toEqual({ kind: 'rejected', error: `${name} (HTTP 400)` });
    },
  );
  it.each(['AccountSuspendedException', 'SendingPausedException', 'AccessDeniedException', 'NotFoundException'])(
    'tries again after %s: SES refuses Herald, not the message',
    (name) => {
      expect(classifySesFailure({ name, status: 400 }).kind).toBe('auth-failed');
    },
  );
  it('keeps the error short enough for the chunk item', () => {
    const outcome = classifySesFailure({ name: 'X'.repeat(200), status: 400 });
    expect(outcome.kind === 'rejected' && outcome.error.length).toBeLessThanOrEqual(60);
  });
});

describe('previewEmail', () => {
  const content = { subject: 'Hi {{ name }}', text: '{{ name }} in {{ attributes.city }}', html: '<p>{{ name }}</p><a href="{{ unsubscribeUrl }}">x</a>' };

  it('shows placeholders, escaped in html like any value, and a placeholder link', () => {
    expect(previewEmail(content)).toEqual({
      subject: 'Hi <name>',
      text: '<name> in <attributes.city>',
      html: `<p>&lt;name&gt;</p><a href="${UNSUBSCRIBE_PLACEHOLDER}">x</a>`,
    });
  });

  it('shows what one client would get', () => {
    expect(previewEmail(content, { name: 'Ann & Bob', attributes: { city: 'Oslo' } })).toEqual({
      subject: 'Hi Ann & Bob',
      text: 'Ann & Bob in Oslo',
      html: `<p>Ann &amp; Bob</p><a href="${UNSUBSCRIBE_PLACEHOLDER}">x</a>`,
    });
  });

  it('names the part at fault', () => {
    expect(() => previewEmail({ text: 'x' })).toThrow(expect.objectContaining({ fields: [expect.objectContaining({ field: 'subject' })] }));
    expect(() => previewEmail({ subject: 's', text: 'x', html: '{{ x' })).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ field: 'html' })] }),
    );
    expect(() => previewEmail({ subject: 's', text: '{{ name }}' }, { name: 'x'.repeat(EMAIL_PART_MAX_BYTES + 1) })).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ field: 'text' })] }),
    );
  });
});
