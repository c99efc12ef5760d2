import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, type AgentsList } from './api.js';
import { shared } from './styles.js';

/** The server: health, version, uptime, the agents it can run and the API areas its plugins serve. */
@customElement('aegis-server')
export class AegisServer extends LitElement {
  @state() private health: { status: string; version: string; uptime: number } | undefined;
  @state() private agents: AgentsList['agents'] = [];
  @state() private areas: string[] = [];
  @state() private error = '';

  static styles = [shared, css`
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; margin-bottom: 1rem; }
    .tile b { display: block; font-size: 1.3rem; }
    .tile span { color: var(--muted); font-size: .8rem; }
    .ok { color: var(--ok); }
    ul { margin: 0; padding-left: 1.1rem; }
    .chips { display: flex; gap: .4rem; flex-wrap: wrap; }
    .chip { background: var(--surface-2); border: 1px solid var(--border); border-radius: 999px; padding: .1rem .6rem; font-size: .8rem; }
    section + section { margin-top: 1rem; }
  `];

  connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const [health, agents, doc] = await Promise.all([api.health(), api.agents(), api.openapi().catch(() => undefined)]);
      this.health = health;
      this.agents = agents.agents;
      const tags = new Set<string>();
      for (const ops of Object.values(doc?.paths ?? {})) for (const op of Object.values(ops)) for (const t of op.tags ?? []) tags.add(t);
      this.areas = [...tags].sort();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private uptime(s: number) {
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  }

  render() {
    const h = this.health;
    const cap = (a: AgentsList['agents'][number]) => Object.entries(a.capabilities).filter(([, v]) => v).map(([k]) => k).join(', ') || '—';
    return html`
      <div class="page-head"><h1>Server</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <div class="tiles">
        <div class="card pad tile"><b class=${h?.status === 'ok' ? 'ok' : ''}>${h?.status ?? '…'}</b><span>health</span></div>
        <div class="card pad tile"><b>${h?.version ?? '…'}</b><span>version</span></div>
        <div class="card pad tile"><b>${h ? this.uptime(h.uptime) : '…'}</b><span>uptime</span></div>
        <div class="card pad tile"><b>${this.agents.length}</b><span>agents found</span></div>
      </div>
      <section class="card" aria-label="Agents">
        <table><thead><tr><th scope="col">Agent</th><th scope="col">Can</th></tr></thead>
        <tbody>${this.agents.map((a) => html`<tr><td><strong>${a.name}</strong></td><td>${cap(a)}</td></tr>`)}</tbody></table>
      </section>
      <section class="card pad" aria-label="Plugins">
        <h2>Plugin areas</h2>
        <div class="chips">${this.areas.map((t) => html`<span class="chip">${t}</span>`)}</div>
      </section>`;
  }
}
