/** The element's own styles, inside its shadow root: the host page's CSS cannot break them, nor they the page. Custom properties theme it. */
export const STYLES = `
:host {
  --herald-accent: #1d4ed8;
  --herald-badge: #b3261e;
  --herald-text: #1f2933;
  --herald-muted: #4b5563;
  --herald-surface: #ffffff;
  --herald-border: #d1d5db;
  --herald-unread: #eff6ff;
  position: relative;
  display: inline-block;
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
  color: var(--herald-text);
}
* { box-sizing: border-box; }
button { font: inherit; color: inherit; cursor: pointer; }
button:focus-visible, a:focus-visible, ul:focus-visible { outline: 2px solid var(--herald-accent); outline-offset: 2px; }
.bell {
  position: relative; display: inline-flex; align-items: center; justify-content: center;
  width: 2.5rem; height: 2.5rem; border: 1px solid var(--herald-border); border-radius: 50%;
  background: var(--herald-surface);
}
.bell svg { width: 1.25rem; height: 1.25rem; }
.badge {
  position: absolute; top: -0.35rem; right: -0.45rem; min-width: 1.3rem; padding: 0 0.3rem;
  border-radius: 0.65rem; background: var(--herald-badge); color: #fff; font-size: 0.75rem; font-weight: 600; line-height: 1.3rem;
}
.badge[hidden] { display: none; }
.panel {
  position: absolute; right: 0; z-index: 1000; margin-top: 0.5rem; width: min(24rem, 90vw);
  border: 1px solid var(--herald-border); border-radius: 0.5rem; background: var(--herald-surface);
  box-shadow: 0 8px 24px rgb(0 0 0 / 0.15);
}
.panel.start { right: auto; left: 0; }
:host([open]) .panel { position: static; margin-top: 0.5rem; box-shadow: none; }
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--herald-border); }
.head strong { font-size: 1rem; }
.link-button { border: 0; background: none; color: var(--herald-accent); text-decoration: underline; padding: 0.25rem; }
.link-button[aria-disabled='true'] { color: var(--herald-muted); cursor: default; text-decoration: none; }
ul { list-style: none; margin: 0; padding: 0; max-height: 26rem; overflow-y: auto; }
li { display: flex; gap: 0.5rem; align-items: flex-start; padding: 0.6rem 0.75rem; border-bottom: 1px solid var(--herald-border); }
li.unread { background: var(--herald-unread); }
.dot { flex: none; width: 0.5rem; height: 0.5rem; margin-top: 0.45rem; border-radius: 50%; background: transparent; }
li.unread .dot { background: var(--herald-accent); }
.body { flex: 1; min-width: 0; }
.title { display: block; font-weight: 600; overflow-wrap: anywhere; }
a.title { color: var(--herald-accent); }
.text { margin: 0.15rem 0; overflow-wrap: anywhere; white-space: pre-line; }
time { color: var(--herald-muted); font-size: 0.8rem; }
.read { flex: none; border: 1px solid var(--herald-border); border-radius: 0.25rem; background: var(--herald-surface); padding: 0.15rem 0.5rem; font-size: 0.8rem; }
.empty, .error, .more { margin: 0; padding: 0.75rem; }
.error { color: var(--herald-badge); }
.more { display: flex; justify-content: center; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
