/** Campaign templates: what is refused when written, what a client's message renders to, and the preview. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.js';
import { chunksOfPage, splitAudience } from '../../functions/domain/messages.js';
import { checkTemplate, preview, renderTemplate, snapshotOf, TemplateRenderError } from '../../functions/domain/templates.js';

const anna = {
  name: 'Anna',
  phone: '79001234567',
  tag: 'vip',
  operatorCode: '900',
  timezone: 'Europe/Moscow',
  attributes: { city: 'Kazan', plan: 'gold' },
};

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
});
