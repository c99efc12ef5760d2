import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

const TONE: Record<string, string> = {
  working: 'info', starting: 'info', compacting: 'info', idle: 'idle', ending: 'ending', exited: 'off',
  permission_prompt: 'warn', ask_question: 'warn', plan_mode: 'warn', rate_limit: 'danger', error: 'danger',
};

/** A session state as a coloured pill; states that wait for a human, or that are on their way (ending), pulse gently. */
@customElement('aegis-state-badge')
export class AegisStateBadge extends LitElement {
  @property() state = '';

  static styles = css`
    :host { display: inline-flex; }
    span { display: inline-flex; align-items: center; gap: .35rem; padding: .1rem .55rem; border-radius: 999px; font-size: .78rem; font-weight: 600; white-space: nowrap; }
    span::before { content: ''; width: .45rem; height: .45rem; border-radius: 50%; background: currentColor; }
    .info { background: var(--info-soft); color: var(--info); }
    .idle { background: var(--ok-soft); color: var(--ok); }
    .warn { background: var(--warn-soft); color: var(--warn); }
    .danger { background: var(--danger-soft); color: var(--danger); }
    .off { background: var(--idle-soft); color: var(--idle); }
    .ending { background: var(--danger-soft); color: var(--danger); }
    .info::before { animation: pulse 1.4s ease-in-out infinite; }
    .warn::before { animation: pulse 1s ease-in-out infinite; }
    .ending::before { animation: pulse 1.4s ease-in-out infinite; }
    @keyframes pulse { 50% { opacity: .25; } }
    @media (prefers-reduced-motion: reduce) { span::before { animation: none !important; } }
  `;

  render() {
    return html`<span class=${TONE[this.state] ?? 'off'}>${this.state.replace(/_/g, ' ')}</span>`;
  }
}
