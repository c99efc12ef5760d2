import { LitElement, css, html } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { api, ApiError, setToken, type WhoAmIT } from './api.js';
import { shared } from './styles.js';
import { logo } from './icons.js';

/**
 * Sign-in: the API token is checked with whoami and kept in memory only, so a reload asks again.
 * Fires `signed-in` with the principal.
 */
@customElement('aegis-login')
export class AegisLogin extends LitElement {
  @state() private error = '';
  @state() private busy = false;
  @query('#token') private input!: HTMLInputElement;

  static styles = [shared, css`
    :host { min-height: 100vh; display: grid; place-items: center; padding: 1.5rem; }
    .card { width: min(25rem, 100%); padding: 2rem; }
    .brand { display: flex; align-items: center; gap: .6rem; margin-bottom: 1.5rem; }
    .brand svg { width: 2.2rem; height: 2.2rem; }
    .brand h1 { font-size: 1.35rem; }
    form { display: grid; gap: 1rem; }
    button { justify-content: center; width: 100%; }
    .hint { font-size: .8rem; color: var(--muted); }
  `];

  firstUpdated() { this.input.focus(); }

  private async submit(e: Event) {
    e.preventDefault();
    const token = this.input.value.trim();
    if (!token) { this.error = 'Enter an API token.'; return; }
    this.busy = true;
    this.error = '';
    setToken(token);
    try {
      const me = await api.whoami();
      this.input.value = '';
      this.dispatchEvent(new CustomEvent<WhoAmIT>('signed-in', { detail: me, bubbles: true, composed: true }));
    } catch (err) {
      setToken(undefined);
      this.error = err instanceof ApiError && err.status === 401 ? 'That token was not accepted.' : `Sign-in failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`
      <main class="card">
        <div class="brand">${logo}<h1>Aegis</h1></div>
        <form @submit=${this.submit}>
          <div>
            <label for="token">API token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
          </div>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
          <button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button>
          <p class="hint">The token stays in this tab's memory. Reloading the page signs you out.</p>
        </form>
      </main>`;
  }
}
