import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { getToken } from './api.js';
import { shared } from './styles.js';

type XtermModule = typeof import('./xterm-loader.js');
type Term = InstanceType<XtermModule['Terminal']>;

/** Adds a stylesheet to a shadow root once (xterm's own CSS, which must live inside the root it draws in). */
export function adoptCss(root: ShadowRoot, text: string): void {
  const sheets = root.adoptedStyleSheets;
  if (sheets.some((s) => (s as CSSStyleSheet & { aegisXterm?: boolean }).aegisXterm)) return;
  const sheet = new CSSStyleSheet() as CSSStyleSheet & { aegisXterm?: boolean };
  sheet.replaceSync(text);
  sheet.aegisXterm = true;
  root.adoptedStyleSheets = [...sheets, sheet];
}

/** Loaded once, the first time any terminal shows. */
let xtermModule: Promise<XtermModule> | undefined;
export const loadXterm = () => (xtermModule ??= import('./xterm-loader.js'));

/**
 * The live terminal of a session over the WebSocket route: authenticates with its first frame,
 * draws the screen it is sent, then follows the raw output. Keystrokes go back to the agent
 * unless the viewer is read-only (the server refuses them too).
 */
@customElement('aegis-terminal')
export class AegisTerminal extends LitElement {
  @property() sessionId = '';
  @property({ type: Boolean }) readOnly = true;
  @state() private status: 'connecting' | 'live' | 'ended' | 'error' = 'connecting';
  @state() private message = '';
  @query('.screen') private screen!: HTMLDivElement;
  private term: Term | undefined;
  private ws: WebSocket | undefined;
  private retries = 0;
  private closedByUs = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  static styles = [shared, css`
    :host { display: block; }
    .frame { background: var(--term-bg); border-radius: var(--radius); border: 1px solid var(--border); overflow: hidden; }
    .bar { display: flex; align-items: center; gap: .5rem; padding: .45rem .75rem; background: #161a23; color: #c9cfdb; font-size: .78rem; }
    .bar .dot { width: .5rem; height: .5rem; border-radius: 50%; background: #6b7280; }
    .bar .dot.live { background: #4ade80; }
    .bar .dot.error { background: #f87171; }
    .screen { padding: .5rem; overflow-x: auto; min-height: 12rem; }
    .screen:focus-within { outline: 3px solid var(--focus); outline-offset: -3px; }
  `];

  connectedCallback() {
    super.connectedCallback();
    this.closedByUs = false;
  }

  disconnectedCallback() {
    this.closedByUs = true;
    clearTimeout(this.retryTimer);
    this.ws?.close();
    this.term?.dispose();
    this.term = undefined;
    super.disconnectedCallback();
  }

  protected async firstUpdated() {
    const { Terminal, xtermCss, terminalTheme, fontFamily } = await loadXterm();
    if (!this.isConnected) return;
    adoptCss(this.shadowRoot!, xtermCss);
    this.term = new Terminal({
      cols: 120, rows: 40, fontSize: 12.5, fontFamily, theme: terminalTheme, convertEol: false,
      disableStdin: this.readOnly, cursorBlink: !this.readOnly, scrollback: 2000,
    });
    this.term.open(this.screen);
    this.term.onData((data) => {
      if (!this.readOnly && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'input', data }));
    });
    this.connect();
  }

  protected updated(changed: PropertyValues<this>) {
    if (changed.has('readOnly') && this.term) this.term.options.disableStdin = this.readOnly;
  }

  private connect() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/sessions/${encodeURIComponent(this.sessionId)}/terminal`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.status = 'connecting';
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: getToken() ?? '' }));
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') { this.term?.write(new Uint8Array(ev.data as ArrayBuffer)); return; }
      const frame = JSON.parse(ev.data) as { type: string; data?: string; cols?: number; rows?: number; message?: string; code?: string; readOnly?: boolean };
      if (frame.type === 'ready') { this.status = 'live'; this.retries = 0; if (frame.readOnly) this.readOnly = true; }
      else if (frame.type === 'screen') {
        this.term?.reset();
        if (frame.cols && frame.rows) this.term?.resize(frame.cols, frame.rows);
        this.term?.write(frame.data ?? '');
      } else if (frame.type === 'exit') { this.status = 'ended'; this.message = 'The session has ended.'; }
      else if (frame.type === 'error' && frame.code !== 'AEGIS_ERR_TERMINAL_READ_ONLY') { this.message = frame.message ?? frame.code ?? ''; }
    };
    ws.onclose = (ev) => {
      if (this.closedByUs || this.status === 'ended') return;
      // Auth and access failures (4xxx) do not get better by retrying.
      if (ev.code >= 4000) { this.status = 'error'; this.message ||= ev.reason; return; }
      this.status = 'connecting';
      this.retryTimer = setTimeout(() => this.connect(), Math.min(10_000, 500 * 2 ** this.retries++));
    };
  }

  render() {
    const label = { connecting: 'Connecting…', live: this.readOnly ? 'Live · read-only' : 'Live', ended: 'Ended', error: 'Disconnected' }[this.status];
    return html`
      <div class="frame">
        <div class="bar"><span class="dot ${this.status}"></span><span>Terminal</span><span>· ${label}</span>${this.message ? html`<span>· ${this.message}</span>` : ''}</div>
        <div class="screen" role="region" aria-label="Terminal"></div>
      </div>`;
  }
}
