import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, PERMISSION_MODES, type PermissionMode } from './api.js';
import { navigate, sessionHref } from './router.js';
import { shared } from './styles.js';

/** The new-session form: work directory, prompt, permission mode, agent (and an optional name). */
@customElement('aegis-new-session')
export class AegisNewSession extends LitElement {
  @state() private agents: string[] = ['claude-code'];
  @state() private error = '';
  @state() private busy = false;

  static styles = [shared, css`
    form { display: grid; gap: 1.1rem; max-width: 46rem; }
    .two { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
    .help { font-size: .8rem; color: var(--muted); margin-top: .25rem; }
    .actions { display: flex; gap: .6rem; }
  `];

  connectedCallback() {
    super.connectedCallback();
    api.agents().then((r) => { if (r.agents.length) this.agents = r.agents.map((a) => a.name); }).catch(() => undefined);
  }

  private async submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    this.busy = true;
    this.error = '';
    try {
      const s = await api.create({
        workDir: text('workDir'), agent: text('agent') || undefined,
        permissionMode: (text('permissionMode') || 'default') as PermissionMode,
        ...(text('prompt') ? { prompt: text('prompt') } : {}),
        ...(text('name') ? { name: text('name') } : {}),
      });
      navigate(sessionHref(s.id));
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`
      <div class="page-head"><h1>New session</h1></div>
      <section class="card pad">
        <form @submit=${this.submit}>
          <div>
            <label for="workDir">Work directory</label>
            <input id="workDir" name="workDir" required placeholder="/home/you/project" autocomplete="off" spellcheck="false" aria-describedby="workDir-help">
            <p class="help" id="workDir-help">An absolute path on the server. The agent works in this folder.</p>
          </div>
          <div>
            <label for="prompt">Prompt</label>
            <textarea id="prompt" name="prompt" rows="5" placeholder="What should the agent do?"></textarea>
          </div>
          <div class="two">
            <div>
              <label for="permissionMode">Permission mode</label>
              <select id="permissionMode" name="permissionMode">
                ${PERMISSION_MODES.map((m) => html`<option value=${m}>${m}</option>`)}
              </select>
            </div>
            <div>
              <label for="agent">Agent</label>
              <select id="agent" name="agent">
                ${this.agents.map((a) => html`<option value=${a} ?selected=${a === 'claude-code'}>${a}</option>`)}
              </select>
            </div>
          </div>
          <div>
            <label for="name">Name <span class="muted">(optional)</span></label>
            <input id="name" name="name" maxlength="100" autocomplete="off">
          </div>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
          <div class="actions"><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Creating…' : 'Create session'}</button></div>
        </form>
      </section>`;
  }
}
