/** The typed REST client: openapi-fetch over the paths generated from the API's own OpenAPI document (schema.d.ts). */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Campaign = Schemas['Campaign'];
export type Client = Schemas['Client'];
export type Message = Schemas['Message'];
export type Counts = Schemas['Counts'];
export type Problem = Schemas['Problem'];
export type CampaignStatus = Campaign['status'];
export type MessageStatus = Message['status'];

export type Channel = Campaign['channel'];

export const MESSAGE_STATUSES: MessageStatus[] = ['queued', 'sent', 'failed', 'expired', 'cancelled'];

/** Each channel as the app names it, in the order the campaign form offers them. */
export const CHANNEL_LABELS: Record<Channel, string> = { sms: 'SMS', email: 'E-mail', inapp: 'In-app' };

/** What SES told about an e-mail campaign's mail (DESIGN "E-mail through Amazon SES"); absent on other channels. */
export type EmailEvents = NonNullable<Campaign['emailEvents']>;
export type EmailDelivery = NonNullable<Message['delivery']>;
/** A campaign as GET /campaigns/{id} answers it. */
export type CampaignView = Campaign;
/** A message as the API answers it. */
export type MessageView = Message;

export type Api = ReturnType<typeof createClient<paths>>;

let current: Api | undefined;

export function connect(baseUrl: string, signedFetch: typeof fetch): void {
  current = createClient<paths>({ baseUrl, fetch: signedFetch });
}

export function api(): Api {
  if (!current) throw new Error('the API client is not connected');
  return current;
}

/** POST /clients/{id}/inbox-token: a token for the client's inbox, as the operator's backend gets one. */
export async function mintInboxToken(id: string, ttlSeconds: number): Promise<{ token: string; expiresAt: string }> {
  return unwrap(await api().POST('/clients/{id}/inbox-token', { params: { path: { id } }, body: { ttlSeconds } }));
}

/** A refused call: the problem+json document, whose `errors` name the fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** What a user is told when the gateway refuses a call their role may not make: a viewer's change, for one. */
export const NOT_ALLOWED = 'Your account may not do this: it is not in the operators group (viewers may only look). Ask an administrator if you need to.';

/**
 * Whether API Gateway refused the call for the caller's role (lib/admin.ts gives viewers the GET
 * routes only): its problem names the response type ACCESS_DENIED (lib/api.ts), and IAM's own
 * words say which action was not allowed. An expired signature is another 403, and keeps its text.
 */
function isNotAllowed(status: number, problem: Partial<Problem>): boolean {
  return status === 403 && (problem.title === 'ACCESS_DENIED' || /is not authorized to perform/.test(problem.detail ?? ''));
}

/** The answer's data, or an ApiError carrying its problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (typeof result.error === 'object' && result.error !== null ? result.error : { detail: String(result.error ?? '') }) as Partial<Problem>;
    const status = result.response.status;
    throw new ApiError(status, isNotAllowed(status, problem) ? { ...problem, detail: NOT_ALLOWED } : problem);
  }
  return result.data as T;
}

/** Field name -> message, from a problem's `errors` (a field is also filed under each of its dotted parents). */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const { field, message } of error.problem.errors ?? []) {
    const parts = field.split('.');
    for (let i = parts.length; i > 0; i--) {
      const key = parts.slice(0, i).join('.');
      out[key] = out[key] ? out[key] : `${field}: ${message}`;
    }
  }
  return out;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
