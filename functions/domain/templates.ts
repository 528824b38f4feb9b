/**
 * Campaign texts are Liquid templates (LiquidJS): checked and rendered once with placeholders
 * when a campaign is written, rendered per client at send time. The engine is sandboxed: no
 * file system (include, render and layout find nothing), own properties only, and limits on
 * parse size, render time and memory, so a template cannot run code or hold a sender. Every
 * rendering also stops once its output is past the channel's size (render-limits.ts).
 */
import type { Emitter, FS, Liquid, LiquidOptions, Template } from 'liquidjs';
import { ValidationError } from './errors.js';
import { ATTRIBUTE_KEY_PATTERN } from './clients.js';
import { isOverLimit, overLimitReason, SMS_TEXT_LIMIT, type RenderLimit } from './render-limits.js';
import {
  placeholderVariables,
  previewVariables,
  snapshotOf,
  TEMPLATE_VARIABLES,
  type PreviewClient,
  type ScalarVariable,
  type TemplateUse,
  type TemplateVariables,
} from './template-variables.js';
import { liquidPackage } from './lazy-packages.js';

const noFiles: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => Promise.reject(new Error(`templates cannot read files (${file})`)),
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_root, file) => file,
  sep: '/',
};

/**
 * An engine built on first use, not at load: loading LiquidJS and constructing the engine cost
 * tens of milliseconds, which a Lambda would otherwise pay at every cold start, also when its
 * texts have no markup at all (lazy-packages.ts). Parsed templates are kept by text: a sender
 * renders the same campaign text for every message of a batch.
 */
export interface TemplateEngine {
  liquid(): Liquid;
  parse(text: string): Template[];
}

const PARSED_KEPT = 100;

/**
 * An engine in the sandbox below, with `options` over it and `setUp` run once it is built. Campaign
 * texts use the one here; an e-mail's html part has one of its own (functions/domain/channels/email.ts).
 */
export function createTemplateEngine(options: Partial<LiquidOptions> = {}, setUp: (liquid: Liquid) => void = () => undefined): TemplateEngine {
  let engine: Liquid | undefined;
  const liquid = (): Liquid => {
    if (!engine) {
      engine = new (liquidPackage().Liquid)({ ...sandboxOptions(), ...options });
      setUp(engine);
    }
    return engine;
  };
  const parsed = new Map<string, Template[]>();
  return {
    liquid,
    parse(text) {
      let templates = parsed.get(text);
      if (!templates) {
        templates = liquid().parse(text);
        if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
        parsed.set(text, templates);
      }
      return templates;
    },
  };
}

/** A new object each time: LiquidJS normalises the options it is given in place. */
const sandboxOptions = (): LiquidOptions => ({
  fs: noFiles,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  strictFilters: true,
  // Unknown variables are refused when the campaign is written (checkTemplate); at send time a
  // client without a name renders it empty, so `default` can stand in.
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: 10_000,
  renderLimit: 200,
  memoryLimit: 100_000,
});

/** Campaign and notice texts. */
const textEngine = createTemplateEngine();

export type { PreviewClient, ScalarVariable, TemplateUse, TemplateVariables };
export { placeholderVariables, previewVariables, snapshotOf, TEMPLATE_VARIABLES };

const isScalar = (name: string): name is ScalarVariable => (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** LiquidJS messages end with `, line:R, col:C`; the detail keeps them. */
function problem(message: string): ValidationError {
  return ValidationError.field('text', message);
}

/**
 * Checks a campaign text: Liquid syntax, known filters, and only the variables Herald gives
 * (`name`, `phone`, `tag`, `operatorCode`, `timezone`, `attributes.<key>`). Throws a
 * ValidationError naming `text`, with the line, column and variable in the message. `extra` names
 * further top-level variables the caller provides (a notice's `variables`, see notices.ts), or is
 * `'any'` when they are only known later (an event type's, given with each event: event-types.ts);
 * then the names it reads beyond the client's are answered as `callerVariables`.
 */
export function checkTemplate(text: string, extra: readonly string[] | 'any' = [], engine: TemplateEngine = textEngine): TemplateUse {
  let templates: Template[];
  try {
    templates = engine.parse(text);
  } catch (error) {
    throw problem(`is not a valid template: ${(error as Error).message}`);
  }
  let globals: Record<string, { segments: unknown[]; location: { row: number; col: number } }[]>;
  try {
    globals = engine.liquid().analyzeSync(templates, { partials: false }).globals as typeof globals;
  } catch (error) {
    throw problem(`is not a valid template: ${(error as Error).message}`);
  }
  const scalars = new Set<ScalarVariable>();
  const attributes = new Set<string>();
  const callerVariables = new Set<string>();
  for (const [root, uses] of Object.entries(globals)) {
    for (const use of uses) {
      const where = `line:${use.location.row}, col:${use.location.col}`;
      if (isScalar(root)) {
        scalars.add(root);
        continue;
      }
      if (extra === 'any' && root !== 'attributes') {
        callerVariables.add(root);
        continue;
      }
      if (extra !== 'any' && extra.includes(root)) continue;
      const key = use.segments[1];
      if (root === 'attributes' && typeof key === 'string' && ATTRIBUTE_KEY_PATTERN.test(key)) {
        attributes.add(key);
        continue;
      }
      const shown = use.segments.map((segment) => (typeof segment === 'string' ? segment : '[…]')).join('.');
      const hint =
        root === 'attributes'
          ? 'read one attribute by a literal key, e.g. attributes.city'
          : `known variables: ${TEMPLATE_VARIABLES.join(', ')}, attributes.<key>`;
      throw problem(`unknown variable "${shown}" at ${where} (${hint})`);
    }
  }
  return {
    scalars: [...scalars].sort(),
    attributes: [...attributes].sort(),
    ...(callerVariables.size ? { callerVariables: [...callerVariables].sort() } : {}),
  };
}

const hasMarkup = (text: string): boolean => text.includes('{{') || text.includes('{%');

/** Thrown when one client's rendering fails (a filter error, a limit): that message fails, not its chunk. */
export class TemplateRenderError extends Error {}

/** The rendering is larger than its channel allows (render-limits.ts); the message names the limit. */
export class RenderedTooLargeError extends TemplateRenderError {
  constructor(limit: RenderLimit) {
    super(overLimitReason(limit));
  }
}

/** As LiquidJS writes an output: a Drop by its value, nothing for nil, an array's items joined. */
function stringify(value: unknown): string {
  const plain: unknown = liquidPackage().toValue(value);
  if (typeof plain === 'string') return plain;
  if (plain === null || plain === undefined) return '';
  if (Array.isArray(plain)) return plain.map(stringify).join('');
  return String(plain);
}

/**
 * The engine's output, collected until it is longer than `maxLength`: then the rendering stops
 * there. A loop that writes a few characters each turn would otherwise fill a megabyte within
 * the render limit, all of it to be thrown away.
 */
class BoundedEmitter implements Emitter {
  buffer = '';
  over = false;
  constructor(private readonly maxLength: number) {}
  write(html: unknown): void {
    this.buffer += stringify(html);
    if (this.buffer.length <= this.maxLength) return;
    this.over = true;
    throw new Error('output past its limit');
  }
}

/**
 * Renders a checked text for one client with `engine` (campaign texts' by default), no larger
 * than `limit` (an SMS's by default): a larger one throws RenderedTooLargeError, any other
 * failure TemplateRenderError. Missing variables render empty.
 */
export function renderTemplate(text: string, vars: TemplateVariables, limit: RenderLimit = SMS_TEXT_LIMIT, engine: TemplateEngine = textEngine): string {
  // Without a tag or an output there is nothing to render: Liquid would give the text back as it is.
  const rendered = hasMarkup(text) ? renderBounded(engine, engine.parse(text), { ...vars, attributes: vars.attributes ?? {} }, limit) : text;
  if (isOverLimit(rendered, limit)) throw new RenderedTooLargeError(limit);
  return rendered;
}

/** `renderSync` with the emitter passed in, which the engine's own entry points do not take (Liquid.prototype._render). */
function renderBounded(templateEngine: TemplateEngine, templates: Template[], scope: object, limit: RenderLimit): string {
  const { Context, toValueSync } = liquidPackage();
  const engine = templateEngine.liquid();
  const emitter = new BoundedEmitter(limit.max);
  try {
    return toValueSync(engine.renderer.renderTemplates(templates, new Context(scope, engine.options, { sync: true }, { liquid: engine }), emitter)) as string;
  } catch (error) {
    if (emitter.over) throw new RenderedTooLargeError(limit);
    throw new TemplateRenderError((error as Error).message);
  }
}

/** The refusal of a text whose rendering failed, naming the limit's field: too large, or not rendering at all (a filter error, the render or memory limit). */
export function renderRefusal(error: TemplateRenderError, limit: RenderLimit): ValidationError {
  if (error instanceof RenderedTooLargeError) return ValidationError.field(limit.field, `${error.message}, the most ${limit.of} may have`);
  return ValidationError.field(limit.field, `does not render: ${error.message}`);
}

/**
 * A message's template parts (an e-mail's subject, text and html; an in-app title, text and url),
 * each checked by `check`, a refusal naming its part; what they use together.
 */
export function checkTemplateParts<P extends string>(
  parts: readonly P[],
  content: Partial<Record<P, string>>,
  check: (text: string, part: P) => TemplateUse,
): TemplateUse {
  const uses: TemplateUse[] = [];
  for (const part of parts) {
    const text = content[part];
    if (text === undefined) continue;
    try {
      uses.push(check(text, part));
    } catch (error) {
      if (error instanceof ValidationError) throw ValidationError.field(part, error.fields[0]?.message ?? error.message);
      throw error;
    }
  }
  const union = (pick: (use: TemplateUse) => string[] | undefined) => [...new Set(uses.flatMap((use) => pick(use) ?? []))].sort();
  const callerVariables = union((use) => use.callerVariables);
  return {
    scalars: union((use) => use.scalars) as TemplateUse['scalars'],
    attributes: union((use) => use.attributes),
    ...(callerVariables.length ? { callerVariables } : {}),
  };
}
/**
 * Checks a text as checkTemplate does, then renders it once with placeholders for its variables,
 * under the engine's limits and `limit`: a text that is too slow, too hungry or too large even
 * with placeholders is refused when it is written, not found out message by message at send
 * time. What only some clients' values make too large still fails their messages then.
 */
export function checkTemplateRendering(text: string, limit: RenderLimit = SMS_TEXT_LIMIT): TemplateUse {
  const use = checkTemplate(text);
  try {
    renderTemplate(text, placeholderVariables(use), limit);
  } catch (error) {
    if (error instanceof TemplateRenderError) throw renderRefusal(error, limit);
    throw error;
  }
  return use;
}
