/**
 * `<herald-inbox api="https://api.example" ws="wss://ws.example">` with a `token` property (the
 * JWT of POST /clients/{id}/inbox-token): a bell with the unread count, the list of items with
 * read and read all, kept live over the WebSocket. It reconnects by itself (exponential backoff
 * with jitter), and every time the socket opens it fetches the first page again, so what arrived
 * while it was away shows up. Plain DOM in a shadow root: no framework for the host to load.
 *
 * `data-connection` on the element says `connecting`, `open` or `closed`; it fires `notification`
 * (detail: the item) when a frame brings one, and `unauthorized` when the API refuses the token
 * (a host then sets a fresh one).
 */
import {
  badgeText,
  joinFirstPage,
  mergeItems,
  parseFrame,
  PING_INTERVAL_MS,
  reconnectDelay,
  safeHref,
  unreadAmong,
  type InboxItem,
  type InboxPage,
} from './state.js';
import { STYLES } from './styles.js';

const PAGE_SIZE = 20;
/** After an unread frame says fewer than are shown unread (read elsewhere), the page is fetched again once the burst settles. */
const RESYNC_DELAY_MS = 300;
const BELL_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>';

type Child = Node | string | false | undefined;

function h(tag: string, attributes: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  for (const child of children) if (child !== false && child !== undefined) element.append(child);
  return element;
}

class Unauthorized extends Error {}

export class HeraldInboxElement extends HTMLElement {
  static observedAttributes = ['api', 'ws'];

  #token = '';
  #items: InboxItem[] = [];
  #unread = 0;
  #nextCursor: string | null = null;
  #error = '';
  #loaded = false;
  /** Bumped by every restart: answers and socket events of an earlier one are dropped. */
  #generation = 0;
  /** Bumped by every unread frame: a fetch that began before one does not overwrite its count. */
  #unreadVersion = 0;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  #restartQueued = false;
  /** Set when the API refused the token: no reconnecting with it until a new one is set. */
  #refused = false;

  readonly #shadow: ShadowRoot;
  readonly #bell: HTMLButtonElement;
  readonly #badge: HTMLElement;
  readonly #status: HTMLElement;
  readonly #panel: HTMLElement;
  readonly #readAll: HTMLButtonElement;
  readonly #body: HTMLElement;

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
    // A constructed sheet is not inline style, so a host page whose CSP forbids inline styles still styles the element.
    let style: HTMLElement | undefined;
    if ('adoptedStyleSheets' in this.#shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      this.#shadow.adoptedStyleSheets = [sheet];
    } else {
      style = h('style');
      style.textContent = STYLES;
    }
    this.#bell = h('button', { type: 'button', class: 'bell', part: 'bell', 'aria-expanded': 'false', 'aria-controls': 'panel' }) as HTMLButtonElement;
    this.#bell.innerHTML = BELL_ICON;
    this.#badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true });
    this.#bell.append(this.#badge);
    this.#status = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.#readAll = h('button', { type: 'button', class: 'link-button' }, 'Mark all as read') as HTMLButtonElement;
    this.#body = h('div');
    this.#panel = h(
      'div',
      { id: 'panel', class: 'panel', part: 'panel', role: 'region', 'aria-labelledby': 'panel-title', hidden: true },
      h('div', { class: 'head' }, h('strong', { id: 'panel-title' }, 'Notifications'), this.#readAll),
      this.#body,
    );
    this.#shadow.append(...(style ? [style] : []), this.#bell, this.#status, this.#panel);

    this.#bell.addEventListener('click', () => this.#setOpen(this.#panel.hidden));
    this.#readAll.addEventListener('click', () => {
      if (this.#readAll.getAttribute('aria-disabled') !== 'true') void this.#markAllRead();
    });
    this.#shadow.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Escape' && !this.#panel.hidden && !this.hasAttribute('open')) {
        this.#setOpen(false);
        this.#bell.focus();
      }
    });
  }

  /** The end user's inbox token; setting it (re)connects. */
  get token(): string {
    return this.#token;
  }

  set token(value: string | null | undefined) {
    this.#token = value ?? '';
    this.#queueRestart();
  }

  /** The unread count as last told by the API or a frame. */
  get unreadCount(): number {
    return this.#unread;
  }

  connectedCallback(): void {
    // A token assigned before this script defined the element sits on the instance, hiding the setter.
    if (Object.prototype.hasOwnProperty.call(this, 'token')) {
      const early = (this as unknown as { token: string }).token;
      delete (this as unknown as { token?: string }).token;
      this.token = early;
    }
    this.#setOpen(this.hasAttribute('open'));
    addEventListener('online', this.#onOnline);
    document.addEventListener('click', this.#onOutsideClick);
    this.#draw();
    this.#queueRestart();
  }

  disconnectedCallback(): void {
    removeEventListener('online', this.#onOnline);
    document.removeEventListener('click', this.#onOutsideClick);
    this.#stop();
  }

  attributeChangedCallback(): void {
    this.#queueRestart();
  }

  /** Attribute and token changes in one task (a host sets both) lead to one connection, not several. */
  #queueRestart(): void {
    if (this.#restartQueued) return;
    this.#restartQueued = true;
    queueMicrotask(() => {
      this.#restartQueued = false;
      if (this.isConnected) this.#restart();
    });
  }

  #restart(): void {
    this.#stop();
    this.#items = [];
    this.#unread = 0;
    this.#nextCursor = null;
    this.#loaded = false;
    this.#error = '';
    this.#refused = false;
    this.#draw();
    if (!this.#token || !this.getAttribute('api')) return;
    void this.#refetch();
    this.#connect();
  }

  #stop(): void {
    this.#generation++;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#resyncTimer);
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    this.#attempt = 0;
    this.#setConnection('closed');
  }

  /** A click anywhere else closes the dropdown (not the panel of an `open` element, which stays). */
  readonly #onOutsideClick = (event: Event) => {
    if (!this.#panel.hidden && !this.hasAttribute('open') && !event.composedPath().includes(this)) this.#setOpen(false);
  };

  readonly #onOnline = () => {
    if (this.#socket || !this.#token || !this.isConnected) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  };

  #setConnection(state: 'connecting' | 'open' | 'closed'): void {
    if (this.dataset.connection !== state) this.dataset.connection = state;
  }

  #connect(): void {
    const base = this.getAttribute('ws');
    if (!base || !this.#token || this.#refused) return;
    const generation = this.#generation;
    const url = new URL(base, location.href);
    url.searchParams.set('token', this.#token);
    let socket: WebSocket;
    try {
      socket = new WebSocket(url.href);
    } catch {
      this.#error = 'The ws attribute is not a WebSocket URL.';
      this.#draw();
      return;
    }
    this.#socket = socket;
    this.#setConnection('connecting');
    const current = () => generation === this.#generation && this.#socket === socket;
    let opened = false;
    socket.addEventListener('open', () => {
      if (!current()) return;
      opened = true;
      this.#attempt = 0;
      this.#setConnection('open');
      this.#pingTimer = setInterval(() => socket.send(JSON.stringify({ action: 'ping' })), PING_INTERVAL_MS);
      // Whatever arrived while there was no socket is fetched now; later items come as frames.
      void this.#refetch();
    });
    socket.addEventListener('message', (event) => {
      if (current()) this.#onFrame(event.data);
    });
    socket.addEventListener('close', () => {
      if (!current()) return;
      clearInterval(this.#pingTimer);
      this.#socket = undefined;
      this.#setConnection('closed');
      this.#retryTimer = setTimeout(() => this.#connect(), reconnectDelay(this.#attempt++));
      // A browser does not say why an upgrade failed: the API does, so an expired token is told
      // (`unauthorized`) rather than retried for ever, and a lost network is shown as such.
      if (!opened) void this.#fetchCount();
    });
  }

  #onFrame(data: unknown): void {
    const frame = parseFrame(data);
    if (!frame) return;
    if (frame.type === 'notification') {
      this.#items = mergeItems(this.#items, [frame.item]);
      this.dispatchEvent(new CustomEvent('notification', { detail: frame.item }));
    } else if (frame.type === 'unread') {
      this.#unreadVersion++;
      this.#unread = frame.count;
      const shownUnread = unreadAmong(this.#items);
      if (frame.count === 0 && shownUnread > 0) {
        // Everything was read (read all, here or in another tab): nothing shown stays marked.
        const now = new Date().toISOString();
        this.#items = this.#items.map((item) => (item.readAt === null ? { ...item, readAt: now } : item));
      } else if (frame.count < shownUnread) {
        // Read somewhere else, and the frame does not say which: ask once the burst settles.
        clearTimeout(this.#resyncTimer);
        this.#resyncTimer = setTimeout(() => void this.#refetch(), RESYNC_DELAY_MS);
      }
    }
    this.#draw();
  }

  async #call<T>(path: string, method: 'GET' | 'POST' = 'GET', keepalive = false): Promise<T> {
    const base = (this.getAttribute('api') ?? '').replace(/\/+$/, '');
    const response = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${this.#token}` }, keepalive });
    if (response.status === 401) {
      this.dispatchEvent(new CustomEvent('unauthorized'));
      throw new Unauthorized('The inbox token was refused: it may have expired.');
    }
    if (!response.ok) throw new Error(`The inbox answered ${response.status}.`);
    return (await response.json()) as T;
  }

  /** Runs `work` for the current connection; its failure is shown, and a later restart's answers are not mixed in. */
  async #guard(work: (current: () => boolean) => Promise<void>): Promise<void> {
    const generation = this.#generation;
    const current = () => generation === this.#generation;
    try {
      await work(current);
      if (current()) this.#error = '';
    } catch (error) {
      if (!current()) return;
      if (error instanceof Unauthorized) {
        this.#refused = true;
        clearTimeout(this.#retryTimer);
      }
      this.#error = error instanceof Unauthorized ? error.message : 'The inbox could not be reached; it will catch up when it can.';
    }
    if (current()) this.#draw();
  }

  #refetch(): Promise<void> {
    return this.#guard(async (current) => {
      const version = this.#unreadVersion;
      const page = await this.#call<InboxPage>(`/inbox?limit=${PAGE_SIZE}`);
      if (!current()) return;
      const joined = joinFirstPage(this.#items, page, this.#nextCursor);
      this.#items = joined.items;
      this.#nextCursor = joined.nextCursor;
      if (version === this.#unreadVersion) this.#unread = page.unreadCount;
      this.#loaded = true;
    });
  }

  #loadMore(): Promise<void> {
    const cursor = this.#nextCursor;
    if (!cursor) return Promise.resolve();
    return this.#guard(async (current) => {
      const page = await this.#call<InboxPage>(`/inbox?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`);
      if (!current()) return;
      this.#items = mergeItems(this.#items, page.items);
      this.#nextCursor = page.nextCursor;
    });
  }

  #markRead(id: string, keepalive = false): Promise<void> {
    return this.#guard(async (current) => {
      const item = await this.#call<InboxItem>(`/inbox/${encodeURIComponent(id)}/read`, 'POST', keepalive);
      if (!current()) return;
      this.#items = mergeItems(this.#items, [{ ...item, text: item.text ?? '' }]);
      await this.#fetchCount();
    });
  }

  /** The unread count from GET /inbox/count, unless an unread frame (or a restart) came while it was asked. */
  #fetchCount(): Promise<void> {
    return this.#guard(async (current) => {
      const version = this.#unreadVersion;
      const { unread } = await this.#call<{ unread: number }>('/inbox/count');
      if (current() && version === this.#unreadVersion) this.#unread = unread;
    });
  }

  #markAllRead(): Promise<void> {
    return this.#guard(async (current) => {
      const { unread } = await this.#call<{ unread: number }>('/inbox/read-all', 'POST');
      if (!current()) return;
      const now = new Date().toISOString();
      this.#items = this.#items.map((item) => (item.readAt === null ? { ...item, readAt: now } : item));
      this.#unreadVersion++;
      this.#unread = unread;
    });
  }

  #setOpen(open: boolean): void {
    this.#panel.hidden = !open;
    this.#bell.setAttribute('aria-expanded', String(open));
    // The dropdown opens toward the side with room for it: under a bell at the left of the page it runs right.
    if (open) this.#panel.classList.toggle('start', this.getBoundingClientRect().left + this.#panel.offsetWidth <= document.documentElement.clientWidth);
  }

  #item(item: InboxItem): HTMLElement {
    const unread = item.readAt === null;
    const href = safeHref(item.url, location.href);
    const title = href
      ? h('a', { class: 'title', href, rel: 'noopener', 'data-focus': `link:${item.id}` }, item.title)
      : h('span', { class: 'title' }, item.title);
    if (href && unread) title.addEventListener('click', () => void this.#markRead(item.id, true));
    const created = new Date(item.createdAt);
    const when = Number.isNaN(created.getTime()) ? item.createdAt : created.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    return h(
      'li',
      { class: unread ? 'unread' : 'read-item', 'data-id': item.id },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'body' },
        unread && h('span', { class: 'visually-hidden' }, 'Unread: '),
        title,
        item.text && h('p', { class: 'text' }, item.text),
        h('time', { datetime: item.createdAt }, when),
      ),
      unread &&
        (() => {
          const button = h('button', { type: 'button', class: 'read', 'data-focus': `read:${item.id}`, 'aria-label': `Mark read: ${item.title}` }, 'Mark read');
          button.addEventListener('click', () => void this.#markRead(item.id));
          return button;
        })(),
    );
  }

  #draw(): void {
    const count = this.#unread;
    this.#badge.textContent = badgeText(count);
    this.#badge.hidden = count === 0;
    const label = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;
    this.#bell.setAttribute('aria-label', label);
    const spoken = count === 0 ? 'No unread notifications' : `${count} unread notification${count === 1 ? '' : 's'}`;
    if (this.#status.textContent !== spoken) this.#status.textContent = spoken;
    // aria-disabled rather than disabled: a disabled button drops the focus of whoever just pressed it.
    this.#readAll.setAttribute('aria-disabled', String(count === 0 && unreadAmong(this.#items) === 0));

    // Focus on anything that is drawn again (each carries data-focus) moves to its new copy, or to
    // the list when that is gone (an item's mark read once it is read), so keyboard users keep their place.
    const focused = (this.#shadow.activeElement as HTMLElement | null)?.dataset?.focus;
    const parts: Child[] = [];
    if (this.#error) parts.push(h('p', { class: 'error', role: 'alert' }, this.#error));
    if (this.#items.length === 0) parts.push(h('p', { class: 'empty' }, this.#loaded ? 'No notifications yet.' : 'Loading…'));
    else parts.push(h('ul', { 'aria-label': 'Notifications', tabindex: '0', 'data-focus': 'list' }, ...this.#items.map((item) => this.#item(item))));
    if (this.#nextCursor) {
      const more = h('button', { type: 'button', class: 'link-button', 'data-focus': 'more' }, 'Show older');
      more.addEventListener('click', () => void this.#loadMore());
      parts.push(h('p', { class: 'more' }, more));
    }
    this.#body.replaceChildren(...parts.filter((part): part is Node | string => part !== false && part !== undefined));
    if (focused) {
      const again = this.#shadow.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focused)}"]`);
      (again ?? this.#shadow.querySelector<HTMLElement>('ul') ?? this.#bell).focus();
    }
  }
}
