/** Campaign templates: what is refused when written, what a client's message renders to, and the preview. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.js';
import { chunksOfPage, splitAudience } from '../../functions/domain/messages.js';
import { previewSms as preview } from '../../functions/domain/channels/sms.js';
import {
  checkTemplate,
  checkTemplateRendering,
  renderTemplate,
  RenderedTooLargeError,
  snapshotOf,
  TemplateRenderError,
} from '../../functions/domain/templates.js';

const anna = {
  name: 'Anna',
  phone: '79001234567',
  tag: 'vip',
  operatorCode: '900',
  timezone: 'Europe/Moscow',
  attributes: { city: 'Kazan', plan: 'gold' },
};

/** Ten thousand characters; the size limit stops it at 1,601 (a loop of a hundred thousand turns would too, after building its range). */
const FLOOD = '{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}';
/** A hundred million turns of a loop that writes nothing (no memory charged after the split): only the render limit ends it. */
const SLOW = `{% assign a = "${'x'.repeat(100)}" | split: "" %}{% for i in a %}{% for j in a %}{% for k in a %}{% for l in a %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}`;
const repeat = (text: string, times: number) => `{% for i in (1..${times}) %}${text}{% endfor %}`;

function refusalOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('accepted');
}

function refusal(text: string): ValidationError {
  try {
    checkTemplate(text);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('checkTemplate', () => {
  it('lists the variables a template uses, locals and literals aside', () => {
    expect(
      checkTemplate('Hi {{ name }} from {{ attributes.city | default: "here" }}{% assign x = 2 %}{{ x }}{% for i in (1..2) %}{{ i }}{% endfor %}'),
    ).toEqual({
      scalars: ['name'],
      attributes: ['city'],
    });
    expect(checkTemplate('No variables at all')).toEqual({ scalars: [], attributes: [] });
  });
  it('refuses a syntax error naming text with its line and column', () => {
    const error = refusal('Hello\n  {{ name ');
    expect(error.fields.map((field) => field.field)).toEqual(['text']);
    expect(error.message).toMatch(/line:2, col:3/);
    expect(refusal('{% if name %}open').message).toMatch(/not closed, line:1, col:1/);
  });
  it('refuses an unknown variable naming it and where it is', () => {
    const error = refusal('Hi {{ name }},\nyour {{ surname }}');
    expect(error.fields).toEqual([{ field: 'text', message: expect.stringMatching(/unknown variable "surname" at line:2, col:9/) }]);
    expect(refusal('{{ attributes }}').message).toMatch(/unknown variable "attributes"/);
    expect(refusal('{{ attributes[key] }}').message).toMatch(/unknown variable "attributes/);
    expect(refusal('{{ attributes.City }}').message).toMatch(/unknown variable "attributes.City"/);
  });
  it('refuses an unknown filter and any file tag', () => {
    expect(refusal('{{ name | shout }}').message).toMatch(/undefined filter: shout/);
    expect(() => renderTemplate('{% include "secrets" %}', {})).toThrow(TemplateRenderError);
  });
});

describe('renderTemplate', () => {
  it('renders every variable', () => {
    const text = '{{ name }}|{{ phone }}|{{ tag }}|{{ operatorCode }}|{{ timezone }}|{{ attributes.city }}|{{ attributes.plan }}';
    expect(renderTemplate(text, anna)).toBe('Anna|79001234567|vip|900|Europe/Moscow|Kazan|gold');
  });
  it('renders a missing variable empty, and `default` stands in for it', () => {
    expect(renderTemplate('Hi {{ name }}!', {})).toBe('Hi !');
    expect(renderTemplate('Hi {{ name | default: "friend" }} in {{ attributes.city | default: "town" }}', {})).toBe('Hi friend in town');
    expect(renderTemplate('Hi {{ name | default: "friend" }}', { name: 'Bo' })).toBe('Hi Bo');
  });
  it('keeps Cyrillic and emoji as they are', () => {
    expect(renderTemplate('Привет, {{ name }}! 🎉 {{ attributes.city }}', { name: 'Анна', attributes: { city: 'Казань 🏙️' } })).toBe(
      'Привет, Анна! 🎉 Казань 🏙️',
    );
  });
  it('does not escape HTML: an SMS is plain text', () => {
    expect(renderTemplate('{{ name }}', { name: 'A & B <c>' })).toBe('A & B <c>');
  });
  it('fails one rendering with TemplateRenderError when a limit is hit for that client', () => {
    const text = '{% for i in (1..attributes.n) %}x{% endfor %}';
    expect(renderTemplate(text, { attributes: { n: '3' } })).toBe('xxx');
    expect(() => renderTemplate(text, { attributes: { n: '100000000' } })).toThrow(/memory alloc limit exceeded/);
  });
  it('gives templates no own-property escape', () => {
    expect(renderTemplate('{{ name.constructor }}{{ attributes.constructor }}', { name: 'x', attributes: {} })).toBe('');
  });
});

describe('snapshotOf and the chunk', () => {
  it('copies just the variables the template uses', () => {
    expect(snapshotOf(anna, checkTemplate('Hello {{ name }}'))).toEqual({ name: 'Anna' });
    expect(snapshotOf(anna, checkTemplate('{{ attributes.city }} {{ phone }}'))).toEqual({ attributes: { city: 'Kazan' } });
    expect(snapshotOf(anna, checkTemplate('no variables'))).toBeUndefined();
  });
  it('puts the snapshot on each message of a page', () => {
    const [chunk] = chunksOfPage(
      '7',
      0,
      [
        { id: 'a', ...anna },
        { id: 'b', phone: '79001234568' },
      ],
      new Date(0),
      checkTemplate('Hi {{ name }}'),
    );
    expect(chunk?.messages.map((message) => message.vars)).toEqual([{ name: 'Anna' }, undefined]);
  });
});

describe('preview', () => {
  it('shows placeholders without a client', () => {
    expect(preview('Hi {{ name }} from {{ attributes.city }}')).toEqual({
      text: 'Hi <name> from <attributes.city>',
      encoding: 'GSM-7',
      characters: 32,
      segments: 1,
    });
  });
  it('renders for a client and counts the rendered text', () => {
    expect(preview('Привет, {{ name }}', { ...anna, name: 'Анна' })).toEqual({ text: 'Привет, Анна', encoding: 'UCS-2', characters: 12, segments: 1 });
    expect(preview('{{ name }} €', anna)).toEqual({ text: 'Anna €', encoding: 'GSM-7', characters: 7, segments: 1 });
  });
  it('refuses what checkTemplate refuses', () => {
    expect(() => preview('{{ nope }}')).toThrow(ValidationError);
  });
  it('refuses a text that renders past an SMS, naming text, and answers none of it', () => {
    expect(refusalOf(() => preview(FLOOD)).fields).toEqual([{ field: 'text', message: expect.stringMatching(/more than 1,600 characters/) }]);
    expect(refusalOf(() => preview(`{% for i in (1..401) %}{{ name }}{% endfor %}`, anna)).fields).toEqual([
      { field: 'text', message: expect.stringMatching(/more than 1,600 characters/) },
    ]);
    // Control: the same loop that stays within the limit.
    expect(preview(`{% for i in (1..40) %}{{ name }}{% endfor %}`, anna).characters).toBe(160);
  });
});

describe('rendered size (an SMS renders to at most 1,600 characters)', () => {
  it('counts characters as the preview does: an extension character and an emoji count two', () => {
    expect(renderTemplate(repeat('xxxxxxxxxx', 160), {})).toHaveLength(1600);
    expect(() => renderTemplate(`${repeat('xxxxxxxxxx', 160)}!`, {})).toThrow(RenderedTooLargeError);
    expect(renderTemplate(repeat('€', 800), {})).toHaveLength(800);
    expect(() => renderTemplate(repeat('€', 801), {})).toThrow(/renders to more than 1,600 characters/);
    expect(renderTemplate(repeat('🎉', 800), {})).toHaveLength(1600);
    expect(() => renderTemplate(repeat('🎉', 801), {})).toThrow(RenderedTooLargeError);
    // A client's values count as much as the text's own.
    expect(() => renderTemplate(repeat('{{ name }}', 401), { name: 'Anna' })).toThrow(RenderedTooLargeError);
  });
  it('measures a text without markup too', () => {
    expect(renderTemplate('x'.repeat(1600), {})).toHaveLength(1600);
    expect(() => renderTemplate('x'.repeat(1601), {})).toThrow(RenderedTooLargeError);
  });
  it('writes each output as the engine does: arrays joined, nil empty, a drop by its value', () => {
    const text =
      '[{{ "a,b" | split: "," }}|{{ 1.5 }}|{{ true }}|{{ nil }}|{{ empty }}|{% for i in (1..2) %}{{ forloop.index }}{% endfor %}|{{ 3 | divided_by: 2 }}]';
    expect(renderTemplate(text, {})).toBe('[ab|1.5|true|||12|1.5]');
  });
  it('stops the rendering at the limit: what would come after it is never rendered', () => {
    // The two ranges together are one item past the memory limit (100,000): reached, the second one fails the rendering.
    const pastMemory = (first: number) => `{% for i in (1..${first}) %}xxxxxxxxxx{% endfor %}{% for j in (1..${100_001 - first}) %}{% endfor %}`;
    // Control: 1,000 characters, then the second loop.
    expect(() => renderTemplate(pastMemory(100), {})).toThrow(/memory alloc limit exceeded/);
    expect(() => renderTemplate(pastMemory(1000), {})).toThrow(/renders to more than 1,600 characters/);
  });
});

describe('checkTemplateRendering (a campaign text as it is written)', () => {
  it('renders the text once with placeholders: past the size, render or memory limit it is refused naming text', () => {
    for (const [text, why] of [
      [FLOOD, /renders to more than 1,600 characters/],
      [SLOW, /render limit exceeded/],
      ['{% for i in (1..100001) %}{% endfor %}', /memory alloc limit exceeded/],
    ] as const) {
      expect(refusalOf(() => checkTemplateRendering(text)).fields, text).toEqual([{ field: 'text', message: expect.stringMatching(why) }]);
    }
  });
  it('accepts what renders within the limits with placeholders, and says what it reads', () => {
    expect(checkTemplateRendering('Hi {{ name }} from {{ attributes.city }}')).toEqual({ scalars: ['name'], attributes: ['city'] });
    // What only a client's values make large or slow is found at send time, for that client's message.
    expect(checkTemplateRendering('{% for i in (1..attributes.n) %}x{% endfor %}')).toEqual({ scalars: [], attributes: ['n'] });
    expect(() => checkTemplateRendering('{{ nope }}')).toThrow(/unknown variable/);
  });
});

describe('splitAudience', () => {
  it('keeps opted-out members out of the messages and counts them', () => {
    const { deliver, suppressed } = splitAudience([
      { id: 'a', phone: '79000000001', optedOut: true },
      { id: 'b', phone: '79000000002', optedOut: false },
      { id: 'c', phone: '79000000003' },
    ]);
    expect([deliver.map((member) => member.id), suppressed]).toEqual([['b', 'c'], 1]);
  });

  it('on e-mail: no address is unreachable, an opt-out of e-mail or a suppressed address is suppressed, the rest get a message with their address', () => {
    const members = [
      { id: 'phone-only', phone: '79000000001' },
      { id: 'opted-out', email: 'o@example.com', optOuts: ['email' as const] },
      { id: 'bounced', email: 'b@example.com' },
      { id: 'sms-opt-out', email: 's@example.com', phone: '79000000002', optOuts: ['sms' as const] },
      { id: 'all-out', email: 'x@example.com', optedOut: true },
    ];
    const split = splitAudience(members, 'email', new Set(['b@example.com']));
    expect([split.deliver.map((member) => member.id), split.suppressed, split.unreachable]).toEqual([['sms-opt-out'], 3, 1]);
    const [chunk] = chunksOfPage('7', 0, split.deliver, new Date(), undefined, 'email');
    expect(chunk?.messages[0]).toMatchObject({ clientId: 'sms-opt-out', email: 's@example.com' });
    expect(chunk?.messages[0]).not.toHaveProperty('phone');
    // Control: the same page on SMS reaches the phones, less the one opted out of SMS.
    const sms = splitAudience(members, 'sms');
    expect([sms.deliver.map((member) => member.id), sms.suppressed, sms.unreachable]).toEqual([['phone-only'], 1, 3]);
  });
});
