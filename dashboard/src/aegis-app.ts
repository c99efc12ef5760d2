import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { canAct, isAdmin, setToken, type WhoAmIT } from './api.js';
import { BASE, navigate, parseRoute, type Route } from './router.js';
import { shared } from './styles.js';
import { icons, logo } from './icons.js';
import './aegis-login.js';
import './aegis-session-list.js';
import './aegis-new-session.js';
import './aegis-session-detail.js';
import './aegis-audit.js';
import './aegis-keys.js';
import './aegis-server.js';

/**
 * The application shell: sign-in gate, navigation by role, and the page for the current path.
 * Same-origin links under /dashboard/ are followed without a reload, which would sign the user out.
 */
@customElement('aegis-app')
export class AegisApp extends LitElement {
  @state() private me: WhoAmIT | undefined;
  @state() private route: Route = parseRoute(location.pathname);

  static styles = [shared, css`
    :host { min-height: 100vh; }
    .shell { display: grid; grid-template-columns: 15rem 1fr; min-height: 100vh;
      background: linear-gradient(to right, var(--surface) calc(15rem - 1px), var(--border) calc(15rem - 1px), var(--border) 15rem, transparent 15rem); }
    nav { background: var(--surface); border-right: 1px solid var(--border); padding: 1.1rem .8rem; display: flex; flex-direction: column; gap: .2rem; position: sticky; top: 0; height: 100vh; }
    .brand { display: flex; align-items: center; gap: .55rem; padding: .2rem .5rem 1.1rem; font-weight: 700; font-size: 1.1rem; }
    .brand svg { width: 1.7rem; height: 1.7rem; }
    nav a { display: flex; align-items: center; gap: .6rem; padding: .5rem .65rem; border-radius: 8px; color: var(--text); font-weight: 540; }
    nav a:hover { background: var(--surface-2); text-decoration: none; }
    nav a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }
    .who { margin-top: auto; border-top: 1px solid var(--border); padding: .9rem .5rem 0; display: grid; gap: .6rem; font-size: .85rem; }
    .role { display: inline-block; font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; padding: .05rem .45rem; border-radius: 999px; background: var(--accent-soft); color: var(--accent); }
    main { padding: 1.75rem 2rem; min-width: 0; max-width: 90rem; }
    @media (max-width: 760px) {
      .shell { grid-template-columns: 1fr; background: none; }
      nav { position: static; height: auto; flex-direction: row; flex-wrap: wrap; border-right: 0; border-bottom: 1px solid var(--border); }
      .who { margin: 0; border: 0; padding: 0; }
      main { padding: 1.1rem; }
    }
  `];

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPop);
    this.addEventListener('click', this.onClick);
  }

  disconnectedCallback() {
    window.removeEventListener('popstate', this.onPop);
    this.removeEventListener('click', this.onClick);
    super.disconnectedCallback();
  }

  private onPop = () => { this.route = parseRoute(location.pathname); };

  private onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin || !a.pathname.startsWith(BASE)) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  };

  private signOut() {
    setToken(undefined);
    this.me = undefined;
  }

  private link(href: string, text: string, icon: TemplateResult, current: boolean) {
    return html`<a href=${href} aria-current=${current ? 'page' : 'false'}>${icon}${text}</a>`;
  }

  private page(): unknown {
    const me = this.me!;
    const r = this.route;
    switch (r.page) {
      case 'new': return canAct(me) ? html`<aegis-new-session></aegis-new-session>` : html`<p role="alert">Your role cannot create sessions.</p>`;
      case 'session': return keyed(r.id, html`<aegis-session-detail .sessionId=${r.id} .me=${me}></aegis-session-detail>`);
      case 'audit': return isAdmin(me) ? html`<aegis-audit></aegis-audit>` : html`<p role="alert">The audit log is for admins.</p>`;
      case 'keys': return isAdmin(me) ? html`<aegis-keys .me=${me}></aegis-keys>` : html`<p role="alert">Keys are for admins.</p>`;
      case 'server': return html`<aegis-server></aegis-server>`;
      default: return html`<aegis-session-list .me=${me}></aegis-session-list>`;
    }
  }

  render() {
    if (!this.me) return html`<aegis-login @signed-in=${(e: CustomEvent<WhoAmIT>) => { this.me = e.detail; }}></aegis-login>`;
    const me = this.me;
    const p = this.route.page;
    return html`
      <div class="shell">
        <nav aria-label="Main">
          <div class="brand">${logo}<span>Aegis</span></div>
          ${this.link(BASE, 'Sessions', icons.list, p === 'sessions' || p === 'session')}
          ${canAct(me) ? this.link(`${BASE}new`, 'New session', icons.plus, p === 'new') : ''}
          ${isAdmin(me) ? this.link(`${BASE}audit`, 'Audit log', icons.shield, p === 'audit') : ''}
          ${isAdmin(me) ? this.link(`${BASE}keys`, 'API keys', icons.key, p === 'keys') : ''}
          ${this.link(`${BASE}server`, 'Server', icons.server, p === 'server')}
          <div class="who">
            <div><span class="role">${me.role}</span> ${me.name ?? me.id}${me.tenantId ? html` <span class="muted">· ${me.tenantId}</span>` : ''}</div>
            <button class="small" @click=${this.signOut}>${icons.out}Sign out</button>
          </div>
        </nav>
        <main>${this.page()}</main>
      </div>`;
  }
}
