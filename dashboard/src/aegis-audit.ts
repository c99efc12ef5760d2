import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, type AuditFilter, type AuditRecord, type VerifyReport } from './api.js';
import { shared } from './styles.js';

const FIELDS: Array<[keyof AuditFilter, string, string]> = [
  ['actor', 'Actor', 'key id or master'], ['action', 'Action', 'e.g. session.created'], ['sessionId', 'Session', 'session id'],
  ['from', 'From', 'ISO time'], ['to', 'To', 'ISO time'],
];

/** The audit log for admins: filter, page, verify the hash chain, export CSV or NDJSON. */
@customElement('aegis-audit')
export class AegisAudit extends LitElement {
  @state() private records: AuditRecord[] = [];
  @state() private next: string | undefined;
  @state() private filter: AuditFilter = {};
  @state() private report: VerifyReport | undefined;
  @state() private error = '';
  @state() private loading = false;

  static styles = [shared, css`
    form.filters { display: grid; grid-template-columns: repeat(5, 1fr) auto; gap: .75rem; align-items: end; padding: 1rem 1.1rem; border-bottom: 1px solid var(--border); }
    .ok { color: var(--ok); font-weight: 600; }
    .bad { color: var(--danger); font-weight: 600; }
    td code { font-size: .78rem; }
    td.detail { max-width: 28rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: var(--mono); font-size: .78rem; color: var(--muted); }
    .foot { padding: .75rem 1rem; display: flex; justify-content: center; }
    .wrap { overflow-x: auto; }
    @media (max-width: 1000px) { form.filters { grid-template-columns: 1fr 1fr; } }
  `];

  connectedCallback() {
    super.connectedCallback();
    void this.load(false);
  }

  private async load(more: boolean) {
    this.loading = true;
    try {
      const page = await api.audit({ ...this.filter, limit: 100, cursor: more ? this.next : undefined });
      this.records = more ? [...this.records, ...page.records] : page.records;
      this.next = page.nextCursor;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }

  private apply(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const filter: AuditFilter = {};
    for (const [k] of FIELDS) { const v = String(f.get(k) ?? '').trim(); if (v) (filter as Record<string, string>)[k] = v; }
    this.filter = filter;
    void this.load(false);
  }

  private async verify() {
    try { this.report = await api.auditVerify(); } catch (err) { this.error = (err as Error).message; }
  }

  private async exportAs(format: 'csv' | 'ndjson') {
    try {
      const text = await api.auditExport(this.filter, format);
      const url = URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `aegis-audit.${format === 'csv' ? 'csv' : 'ndjson'}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  render() {
    const r = this.report;
    return html`
      <div class="page-head">
        <h1>Audit log</h1><span class="spacer"></span>
        <button @click=${this.verify}>Verify chain</button>
        <button @click=${() => this.exportAs('csv')}>Export CSV</button>
        <button @click=${() => this.exportAs('ndjson')}>Export NDJSON</button>
      </div>
      ${r ? html`<p class="card pad" role="status">${r.ok
        ? html`<span class="ok">Chain intact</span> · ${r.records} records in ${r.files} files`
        : html`<span class="bad">Chain broken</span> at ${r.firstBroken?.file} line ${r.firstBroken?.line}: ${r.firstBroken?.reason}`}</p><br>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <section class="card" aria-label="Audit records">
        <form class="filters" @submit=${this.apply}>
          ${FIELDS.map(([k, text, hint]) => html`<div><label for=${k}>${text}</label><input id=${k} name=${k} placeholder=${hint} .value=${String(this.filter[k] ?? '')}></div>`)}
          <button class="primary" type="submit">Filter</button>
        </form>
        ${this.records.length === 0 ? html`<p class="empty">${this.loading ? 'Loading…' : 'No records match.'}</p>` : html`<div class="wrap"><table>
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Session</th><th scope="col">Detail</th></tr></thead>
          <tbody>${this.records.map((x) => html`<tr>
            <td>${x.seq}</td><td title=${x.ts}>${new Date(x.ts).toLocaleString()}</td><td><code>${x.actor}</code></td>
            <td>${x.action}</td><td>${x.sessionId ? html`<code>${x.sessionId.slice(0, 8)}</code>` : ''}</td>
            <td class="detail" title=${JSON.stringify(x.detail)}>${JSON.stringify(x.detail)}</td></tr>`)}</tbody>
        </table></div>`}
        ${this.next ? html`<div class="foot"><button @click=${() => this.load(true)} ?disabled=${this.loading}>Load more</button></div>` : ''}
      </section>`;
  }
}
