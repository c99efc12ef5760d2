import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, canAct, type SessionView, type TranscriptEntry, type WhoAmIT } from './api.js';
import { EventStreamController } from './event-stream.js';
import { BASE } from './router.js';
import { ago, label } from './format.js';
import { shared } from './styles.js';
import { icons } from './icons.js';
import './aegis-state-badge.js';
import './aegis-permission-banner.js';
import './aegis-terminal.js';
import './aegis-transcript.js';
import './aegis-replay.js';

/**
 * One session: its live terminal, what it waits for, its transcript, the controls an operator
 * has (Approve, Reject, Answer, Interrupt, Send, Stop) and the recording player. Viewers see all
 * of it live but get no controls.
 */
@customElement('aegis-session-detail')
export class AegisSessionDetail extends LitElement {
  @property() sessionId = '';
  @property({ attribute: false }) me: WhoAmIT | undefined;
  @state() private view: SessionView | undefined;
  @state() private entries: TranscriptEntry[] = [];
  @state() private error = '';
  @state() private notice = '';
  @state() private busy = false;
  @state() private tab: 'live' | 'replay' = 'live';
  @state() private message = '';
  private pending: ReturnType<typeof setTimeout> | undefined;

  private stream = new EventStreamController(this, {
    route: '/v1/sessions/{id}/events',
    path: () => `/v1/sessions/${encodeURIComponent(this.sessionId)}/events`,
    refresh: () => this.schedule(0),
    onEvent: () => this.schedule(100),
  });

  static styles = [shared, css`
    .head { display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap; margin-bottom: 1rem; }
    .title { display: grid; gap: .3rem; min-width: 0; }
    .title .meta { display: flex; gap: .9rem; flex-wrap: wrap; font-size: .82rem; color: var(--muted); }
    .title .meta code { color: var(--muted); }
    .crumb { font-size: .82rem; }
    .grid { display: grid; grid-template-columns: minmax(0, 1.6fr) minmax(18rem, 1fr); gap: 1.1rem; align-items: start; }
    .side { display: grid; gap: 1rem; }
    .tabs { display: flex; gap: .25rem; margin-bottom: .6rem; }
    .tabs button[aria-selected="true"] { background: var(--accent-soft); color: var(--accent); border-color: var(--accent); }
    .compose { display: grid; gap: .5rem; margin-top: 1rem; }
    .compose .row { align-items: flex-end; }
    .compose textarea { min-height: 3.2rem; flex: 1; }
    .transcript { max-height: 36rem; overflow: auto; }
    .banner { margin-bottom: 1rem; }
    .notice { font-size: .85rem; color: var(--muted); }
    @media (max-width: 1100px) { .grid { grid-template-columns: 1fr; } }
  `];

  disconnectedCallback() {
    clearTimeout(this.pending);
    super.disconnectedCallback();
  }

  private schedule(ms: number) {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.load(), ms);
  }

  private async load() {
    try {
      const [view, transcript] = await Promise.all([api.session(this.sessionId), api.transcript(this.sessionId)]);
      this.view = view;
      this.entries = transcript.entries;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Runs an action, shows its error if any, and refreshes. */
  private async act(what: string, fn: () => Promise<unknown>) {
    this.busy = true;
    this.notice = '';
    try {
      await fn();
      this.notice = `${what}: done`;
    } catch (err) {
      this.notice = `${what} failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
      this.schedule(0);
    }
  }

  private send(e: Event) {
    e.preventDefault();
    const text = this.message.trim();
    if (!text) return;
    void this.act('Send', async () => { await api.send(this.sessionId, text); this.message = ''; });
  }

  private keydown(e: KeyboardEvent) {
    // Enter sends, Shift+Enter is a new line, as in chat apps.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) this.send(e);
  }

  render() {
    const v = this.view;
    if (!v) {
      return html`<p class="crumb"><a href=${BASE}>← Sessions</a></p>${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">Loading…</p>`}`;
    }
    const operator = canAct(this.me);
    // An ending session takes no more actions (the server answers 409); it shows its end is under way.
    const live = v.status !== 'exited' && v.status !== 'ending';
    return html`
      <p class="crumb"><a href=${BASE}>← Sessions</a></p>
      <div class="head">
        <div class="title">
          <div class="row"><h1>${label(v)}</h1><aegis-state-badge state=${v.status}></aegis-state-badge></div>
          <div class="meta">
            <span>${v.agent}</span><code title="Work directory">${v.workDir}</code><span title=${v.createdAt}>created ${ago(v.createdAt)}</span>
            ${v.owner.tenantId ? html`<span>tenant ${v.owner.tenantId}</span>` : ''}
            ${v.status === 'exited' && v.reason ? html`<span>${v.reason}</span>` : ''}
          </div>
        </div>
        <span class="spacer"></span>
        ${operator && live ? html`<div class="row">
          <button ?disabled=${this.busy} @click=${() => this.act('Interrupt', () => api.interrupt(this.sessionId))}>${icons.stop}Interrupt</button>
          <button class="danger" ?disabled=${this.busy} @click=${() => { if (confirm('Stop this session? Its process group is ended.')) void this.act('Stop', () => api.kill(this.sessionId)); }}>${icons.x}Stop</button>
        </div>` : ''}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${v.pendingPermission || v.pendingQuestion ? html`<aegis-permission-banner class="banner"
        .permission=${v.pendingPermission} .question=${v.pendingQuestion} .readOnly=${!operator} .busy=${this.busy}
        @approve=${() => this.act('Approve', () => api.approve(this.sessionId))}
        @reject=${() => this.act('Reject', () => api.reject(this.sessionId))}
        @answer=${(e: CustomEvent<{ option?: number; text?: string }>) => this.act('Answer', () => api.answer(this.sessionId, e.detail))}
      ></aegis-permission-banner>` : ''}
      <div class="grid">
        <section aria-label="Terminal and recording">
          <div class="tabs" role="tablist" aria-label="View">
            <button role="tab" aria-selected=${this.tab === 'live' ? 'true' : 'false'} @click=${() => { this.tab = 'live'; }}>Live terminal</button>
            <button role="tab" aria-selected=${this.tab === 'replay' ? 'true' : 'false'} @click=${() => { this.tab = 'replay'; }}>Replay</button>
          </div>
          ${this.tab === 'live'
            ? html`<aegis-terminal .sessionId=${this.sessionId} .readOnly=${!operator}></aegis-terminal>`
            : html`<aegis-replay .sessionId=${this.sessionId}></aegis-replay>`}
          ${operator && live ? html`<form class="compose" @submit=${this.send}>
            <label for="message">Message</label>
            <div class="row">
              <textarea id="message" .value=${this.message} @input=${(e: Event) => { this.message = (e.target as HTMLTextAreaElement).value; }}
                @keydown=${this.keydown} placeholder="Tell the agent what to do next (Enter sends, Shift+Enter for a new line)"></textarea>
              <button class="primary" type="submit" ?disabled=${this.busy || !this.message.trim()}>${icons.send}Send</button>
            </div>
          </form>` : ''}
          <p class="notice" role="status">${this.notice}</p>
        </section>
        <section class="card pad side" aria-label="Transcript">
          <div class="row"><h2>Transcript</h2><span class="spacer"></span><span class="live-dot ${this.stream.mode}">${this.stream.mode === 'live' ? 'Live' : this.stream.mode === 'polling' ? 'Auto-refresh' : 'Connecting'}</span></div>
          <div class="transcript"><aegis-transcript .entries=${this.entries}></aegis-transcript></div>
        </section>
      </div>`;
  }
}
