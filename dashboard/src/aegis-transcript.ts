import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TranscriptEntry } from './api.js';
import { shared } from './styles.js';

/** Shortens a tool input to one line for the folded summary. */
function summary(e: TranscriptEntry): string {
  const input = e.toolInput as Record<string, unknown> | undefined;
  const first = input && (input.command ?? input.file_path ?? input.path ?? input.pattern ?? input.url ?? input.description);
  const text = typeof first === 'string' ? first : e.text;
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/**
 * The conversation: user and assistant messages as bubbles; tool calls and their results folded
 * into one disclosure each, so a long run stays readable.
 */
@customElement('aegis-transcript')
export class AegisTranscript extends LitElement {
  @property({ attribute: false }) entries: TranscriptEntry[] = [];

  static styles = [shared, css`
    :host { display: block; }
    ol { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: minmax(0, 1fr); gap: .6rem; }
    .msg { padding: .6rem .8rem; border-radius: 10px; white-space: pre-wrap; word-break: break-word; max-width: 92%; }
    .user { background: var(--accent); color: var(--accent-contrast); justify-self: end; border-bottom-right-radius: 3px; }
    .assistant { background: var(--surface-2); border-bottom-left-radius: 3px; }
    .system { font-size: .8rem; color: var(--muted); text-align: center; justify-self: center; }
    .who { display: block; font-size: .7rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; margin-bottom: .15rem; }
    details { border: 1px solid var(--border); border-radius: 8px; background: var(--surface); font-size: .85rem; }
    summary { cursor: pointer; padding: .4rem .7rem; display: flex; gap: .5rem; align-items: baseline; list-style: none; }
    summary::-webkit-details-marker { display: none; }
    summary::before { content: '▸'; color: var(--muted); }
    details[open] summary::before { content: '▾'; }
    .tool { font-weight: 650; color: var(--info); }
    summary code { color: var(--muted); min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    pre { margin: 0; padding: .5rem .7rem; border-top: 1px solid var(--border); white-space: pre-wrap; word-break: break-word; max-height: 18rem; overflow: auto; }
    .empty { color: var(--muted); padding: 1rem 0; }
  `];

  render() {
    const items: unknown[] = [];
    const list = this.entries;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.role === 'tool_use') {
        const result = list[i + 1]?.role === 'tool_result' ? list[++i] : undefined;
        items.push(html`<li><details>
          <summary><span class="tool">${e.toolName ?? 'tool'}</span><code>${summary(e)}</code></summary>
          <pre>${e.toolInput === undefined ? e.text : JSON.stringify(e.toolInput, null, 2)}</pre>
          ${result ? html`<pre>${result.text}</pre>` : ''}
        </details></li>`);
      } else if (e.role === 'tool_result') {
        items.push(html`<li><details><summary><span class="tool">result</span><code>${summary(e)}</code></summary><pre>${e.text}</pre></details></li>`);
      } else {
        items.push(html`<li class="msg ${e.role}"><span class="who">${e.role === 'user' ? 'You' : e.role}</span>${e.text}</li>`);
      }
    }
    return list.length ? html`<ol aria-label="Transcript">${items}</ol>` : html`<p class="empty">Nothing said yet.</p>`;
  }
}
