import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PendingPermission, PendingQuestion } from './api.js';
import { shared } from './styles.js';
import { icons } from './icons.js';

/**
 * What the agent waits for: a permission (with the command or file it names) or a question.
 * Fires `approve` / `reject` / `answer` with the chosen option; shows no buttons when read-only.
 */
@customElement('aegis-permission-banner')
export class AegisPermissionBanner extends LitElement {
  @property({ attribute: false }) permission: PendingPermission | undefined;
  @property({ attribute: false }) question: PendingQuestion | undefined;
  @property({ type: Boolean }) readOnly = false;
  @property({ type: Boolean }) busy = false;
  @state() private text = '';

  static styles = [shared, css`
    .banner { border: 1px solid var(--warn); background: var(--warn-soft); border-radius: var(--radius); padding: 1rem 1.2rem; display: grid; gap: .7rem; }
    .title { display: flex; align-items: center; gap: .5rem; font-weight: 650; color: var(--warn); }
    pre { margin: 0; padding: .7rem .85rem; background: var(--surface); border: 1px solid var(--border); border-radius: 8px; white-space: pre-wrap; word-break: break-word; max-height: 14rem; overflow: auto; color: var(--text); }
    .opts { font-size: .85rem; color: var(--muted); }
    .answer { display: flex; gap: .5rem; }
  `];

  private fire(name: 'approve' | 'reject' | 'answer', detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  render() {
    const p = this.permission;
    const q = this.question;
    if (p) {
      const what = p.kind === 'trust' ? 'Trust this folder?' : p.kind === 'plan' ? 'Approve the plan?' : `${p.tool} wants permission`;
      return html`<section class="banner" role="region" aria-label="Permission request">
        <div class="title">${icons.alert}<span>${what}</span></div>
        <pre aria-label="Requested action">${p.detail}</pre>
        ${p.options.length ? html`<p class="opts">Options: ${p.options.map((o) => `${o.number}. ${o.label}`).join(' · ')}</p>` : ''}
        ${this.readOnly ? html`<p class="muted">Waiting for an operator to decide.</p>` : html`<div class="row">
          <button class="ok" ?disabled=${this.busy} @click=${() => this.fire('approve', undefined)}>${icons.check}Approve</button>
          <button class="danger" ?disabled=${this.busy} @click=${() => this.fire('reject', undefined)}>${icons.x}Reject</button>
        </div>`}
      </section>`;
    }
    if (q) {
      return html`<section class="banner" role="region" aria-label="Question">
        <div class="title">${icons.alert}<span>${q.header ?? 'The agent asks'}</span></div>
        <p>${q.question}</p>
        ${this.readOnly ? html`<p class="muted">Waiting for an operator to answer.</p>` : html`
          <div class="row">${q.options.map((o) => html`<button ?disabled=${this.busy} title=${o.description ?? ''} @click=${() => this.fire('answer', { option: o.number })}>${o.number}. ${o.label}</button>`)}</div>
          <form class="answer" @submit=${(e: Event) => { e.preventDefault(); if (this.text.trim()) this.fire('answer', { text: this.text.trim() }); }}>
            <label class="sr-only" for="ans">Answer text</label>
            <input id="ans" placeholder="Or type an answer" .value=${this.text} @input=${(e: Event) => { this.text = (e.target as HTMLInputElement).value; }}>
            <button type="submit" ?disabled=${this.busy}>Answer</button>
          </form>`}
      </section>`;
    }
    return html``;
  }
}
