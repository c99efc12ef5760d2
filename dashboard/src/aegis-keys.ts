import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, type KeyViewT, type KeyWithSecretT, type WhoAmIT } from './api.js';
import { ago } from './format.js';
import { shared } from './styles.js';
import { icons } from './icons.js';

/** API keys for admins: list, create (the key is shown once), revoke. */
@customElement('aegis-keys')
export class AegisKeys extends LitElement {
  @property({ attribute: false }) me: WhoAmIT | undefined;
  @state() private keys: KeyViewT[] = [];
  @state() private created: KeyWithSecretT | undefined;
  @state() private error = '';
  @state() private copied = false;

  static styles = [shared, css`
    form { display: grid; grid-template-columns: 2fr 1fr 1fr 1fr auto; gap: .75rem; align-items: end; }
    .secret { border: 1px solid var(--ok); background: var(--ok-soft); border-radius: var(--radius); padding: 1rem 1.2rem; display: grid; gap: .5rem; margin-bottom: 1rem; }
    .secret code { font-size: .95rem; word-break: break-all; background: var(--surface); padding: .45rem .6rem; border-radius: 6px; border: 1px solid var(--border); }
    .role { font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
    .revoked { color: var(--muted); text-decoration: line-through; }
    section + section { margin-top: 1rem; }
    .wrap { overflow-x: auto; }
    @media (max-width: 900px) { form { grid-template-columns: 1fr 1fr; } }
  `];

  connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try { this.keys = (await api.keys()).keys; } catch (err) { this.error = (err as Error).message; }
  }

  private async create(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    try {
      this.created = await api.createKey({
        name: text('name'), role: text('role') as KeyViewT['role'],
        ...(text('tenantId') ? { tenantId: text('tenantId') } : {}),
        ...(text('ttlDays') ? { ttlDays: Number(text('ttlDays')) } : {}),
      });
      this.copied = false;
      form.reset();
      this.error = '';
      await this.load();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private async revoke(k: KeyViewT) {
    if (!confirm(`Revoke the key "${k.name}"? Clients using it stop working at once.`)) return;
    try { await api.revokeKey(k.id); await this.load(); } catch (err) { this.error = (err as Error).message; }
  }

  private async copy() {
    if (!this.created) return;
    try { await navigator.clipboard.writeText(this.created.key); this.copied = true; } catch { /* clipboard refused: the key is selectable */ }
  }

  render() {
    const revoked = (k: KeyViewT) => k.status !== 'active';
    return html`
      <div class="page-head"><h1>API keys</h1></div>
      ${this.created ? html`<div class="secret" role="status">
        <strong>Key "${this.created.name}" created. Copy it now: it is not shown again.</strong>
        <code>${this.created.key}</code>
        <div class="row"><button class="small" @click=${this.copy}>${this.copied ? 'Copied' : 'Copy key'}</button>
        <button class="small" @click=${() => { this.created = undefined; }}>Done</button></div>
      </div>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <section class="card pad" aria-label="Create a key">
        <h2>Create a key</h2>
        <form @submit=${this.create}>
          <div><label for="kname">Key name</label><input id="kname" name="name" required maxlength="100"></div>
          <div><label for="krole">Role</label><select id="krole" name="role"><option>viewer</option><option selected>operator</option><option>admin</option></select></div>
          <div><label for="ktenant">Tenant</label><input id="ktenant" name="tenantId" .value=${this.me?.tenantId ?? ''} ?readonly=${!!this.me?.tenantId} pattern="[A-Za-z0-9._\\-]+"></div>
          <div><label for="kttl">Expires in days</label><input id="kttl" name="ttlDays" type="number" min="1" max="3650"></div>
          <button class="primary" type="submit">${icons.plus}Create key</button>
        </form>
      </section>
      <section class="card" aria-label="Keys">
        ${this.keys.length === 0 ? html`<p class="empty">No API keys yet.</p>` : html`<div class="wrap"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Tenant</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${this.keys.map((k) => html`<tr>
            <td class=${revoked(k) ? 'revoked' : ''}>${k.name} <code class="muted">${k.id}</code></td>
            <td class="role">${k.role}</td><td>${k.tenantId ?? html`<span class="muted">—</span>`}</td>
            <td title=${k.createdAt}>${ago(k.createdAt)}</td>
            <td>${k.expiresAt?.slice(0, 10) ?? html`<span class="muted">never</span>`}</td>
            <td>${revoked(k) ? html`<span class="muted">${k.status}</span>` : html`<button class="small danger" aria-label="Revoke ${k.name}" @click=${() => this.revoke(k)}>Revoke</button>`}</td>
          </tr>`)}</tbody></table></div>`}
      </section>`;
  }
}
