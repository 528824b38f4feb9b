/**
 * Event types: what one named event does, declared once and fired by name (POST /events,
 * events.ts). A type is one to five steps, each a message on one channel sent a number of
 * seconds after the event, and optionally only while an earlier in-app step's item is unread
 * (`unlessRead`: "in-app now, SMS after ten minutes if still unread"). A step's content is judged
 * as a campaign's for its channel (channels/fields.ts), its templates as a notice's; the caller's
 * `variables` are only known when an event is fired, so here a template may name any of them.
 */
import { availableChannel, type Channel } from './channels/channel.js';
import { checkEmailContent } from './channels/email.js';
import { checkInappContent } from './channels/inapp.js';
import { checkChannelFields, type ChannelContent } from './channels/fields.js';
import { ValidationError } from './errors.js';
import { SMS_TEXT_LIMIT } from './render-limits.js';
import { checkTemplate, placeholderVariables, renderRefusal, renderTemplate, TemplateRenderError } from './templates.js';

export const EVENT_TYPE_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_EVENT_STEPS = 5;
/** A step goes out at most a day after its event. */
export const MAX_STEP_DELAY_SECONDS = 86_400;
export const EVENT_TYPE_NAME_MAX_LENGTH = 100;

/** A step as stored: its delay resolved (0 when not given). */
export interface EventStep extends ChannelContent {
  channel: Channel;
  text: string;
  delaySeconds: number;
  unlessRead?: true;
}

/** A step as PUT /event-types/{key} takes it. */
export interface NewEventStep extends ChannelContent {
  channel: Channel;
  text: string;
  delaySeconds?: number;
  unlessRead?: boolean;
}

export interface NewEventType {
  name?: string;
  steps: NewEventStep[];
}

export interface EventType {
  key: string;
  name?: string;
  steps: EventStep[];
  createdAt: string;
  updatedAt: string;
}

/** A ValidationError from a check of one field, named under `prefix` (`steps[1].`). */
function under<T>(prefix: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields = error.fields.map((problem) => ({ ...problem, field: `${prefix}${problem.field}` }));
    throw new ValidationError(fields.map((problem) => `${problem.field}: ${problem.message}`).join('; '), fields);
  }
}

export function checkEventTypeKey(key: string): void {
  if (!EVENT_TYPE_KEY_PATTERN.test(key)) throw ValidationError.field('key', `must match ${EVENT_TYPE_KEY_PATTERN.source}`);
}

/** A template that names only Herald's client variables and the caller's, rendered once with placeholders under `limit`. */
function checkSmsText(text: string): void {
  const use = checkTemplate(text, 'any');
  try {
    renderTemplate(text, placeholderVariables(use), SMS_TEXT_LIMIT);
  } catch (error) {
    if (error instanceof TemplateRenderError) throw renderRefusal(error, SMS_TEXT_LIMIT);
    throw error;
  }
}

/**
 * One step's own rules, whatever channels are available: its channel's fields (channels/fields.ts),
 * its templates, its delay, and `unlessRead` only after an in-app step of the same or an earlier
 * moment (an item sent later could not have been read yet). Throws a ValidationError naming
 * `steps[index].field`.
 */
export function checkStepContent(step: NewEventStep, index: number, earlier: readonly NewEventStep[]): EventStep {
  const prefix = `steps[${index}].`;
  return under(prefix, () => {
    checkChannelFields(step.channel, step);
    if (step.channel === 'sms') checkSmsText(step.text);
    else if (step.channel === 'email') checkEmailContent(step, 'any');
    else checkInappContent(step, 'any');
    const delaySeconds = step.delaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_STEP_DELAY_SECONDS) {
      throw ValidationError.field('delaySeconds', `must be a whole number of seconds from 0 to ${MAX_STEP_DELAY_SECONDS}`);
    }
    if (step.unlessRead && !earlier.some((before) => before.channel === 'inapp' && (before.delaySeconds ?? 0) <= delaySeconds)) {
      throw ValidationError.field('unlessRead', 'needs an earlier in-app step, sent no later than this one');
    }
    const { unlessRead, ...content } = step;
    return { ...content, delaySeconds, ...(unlessRead ? { unlessRead: true as const } : {}) };
  });
}

/** Every rule of a new or replaced type, checked before any read: its key, the number of steps, each step's, and each step's channel available. */
export function checkEventType(key: string, input: NewEventType): EventStep[] {
  checkEventTypeKey(key);
  if (input.steps.length < 1 || input.steps.length > MAX_EVENT_STEPS) throw ValidationError.field('steps', `must hold 1 to ${MAX_EVENT_STEPS} steps`);
  if (input.name !== undefined && input.name.length > EVENT_TYPE_NAME_MAX_LENGTH) {
    throw ValidationError.field('name', `must be at most ${EVENT_TYPE_NAME_MAX_LENGTH} characters`);
  }
  return input.steps.map((step, index) => {
    const checked = checkStepContent(step, index, input.steps.slice(0, index));
    availableChannel(step.channel, `steps[${index}].channel`);
    return checked;
  });
}

/** The stored type: a replacement keeps the first one's `createdAt`. */
export function eventTypeRecord(key: string, input: NewEventType, steps: EventStep[], now: Date, existing?: Pick<EventType, 'createdAt'>): EventType {
  const at = now.toISOString();
  return { key, ...(input.name !== undefined ? { name: input.name } : {}), steps, createdAt: existing?.createdAt ?? at, updatedAt: at };
}
