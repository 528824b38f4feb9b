/** The entry of /inbox.js: defines `<herald-inbox>` once, however many times the script is loaded. */
import { HeraldInboxElement } from './element.js';

if (!customElements.get('herald-inbox')) customElements.define('herald-inbox', HeraldInboxElement);

export { HeraldInboxElement };

declare global {
  interface HTMLElementTagNameMap {
    'herald-inbox': HeraldInboxElement;
  }
}
