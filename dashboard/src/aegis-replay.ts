import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { api } from './api.js';
import { adoptCss, loadXterm } from './aegis-terminal.js';
import { shared } from './styles.js';
import { icons } from './icons.js';

type Term = InstanceType<Awaited<ReturnType<typeof loadXterm>>['Terminal']>;
/** One asciicast v2 event: seconds, kind, data. */
type CastEvent = [number, string, string];

const SPEEDS = [1, 4, 16] as const;

/**
 * Parses an asciicast v2 document; torn or unknown lines are skipped. Pauses longer than
 * `idleLimit` seconds are shortened to it, as players do, so a session that idled for an hour
 * replays in moments.
 */
export function parseCast(text: string, idleLimit = 2): { width: number; height: number; events: CastEvent[] } {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0] ?? '{}') as { width?: number; height?: number };
  const events: CastEvent[] = [];
  let lastRaw: number | undefined;
  for (const l of lines.slice(1)) {
    if (!l) continue;
    try {
      const e = JSON.parse(l) as CastEvent;
      if (Array.isArray(e) && typeof e[0] === 'number' && (e[1] === 'o' || e[1] === 'r')) {
        const prev = events.at(-1)?.[0] ?? 0;
        const gap = Math.max(0, e[0] - (lastRaw ?? e[0]));
        lastRaw = e[0];
        events.push([prev + Math.min(gap, idleLimit), e[1], e[2]]);
      }
    } catch { /* torn line */ }
  }
  return { width: header.width ?? 80, height: header.height ?? 24, events };
}

/**
 * Plays a session's recording (asciicast v2 from the server) at 1x, 4x or 16x, with a seek bar.
 * Seeking back redraws from the start up to that moment, which is fast: it is only parsing.
 */
@customElement('aegis-replay')
export class AegisReplay extends LitElement {
  @property() sessionId = '';
  @state() private duration = 0;
  @state() private position = 0;
  @state() private playing = false;
  @state() private speed: (typeof SPEEDS)[number] = 1;
  @state() private error = '';
  @state() private loaded = false;
  @query('.screen') private screen!: HTMLDivElement;
  private term: Term | undefined;
  private events: CastEvent[] = [];
  private next = 0;
  private raf = 0;
  private last = 0;

  static styles = [shared, css`
    .frame { background: var(--term-bg); border-radius: var(--radius); border: 1px solid var(--border); overflow: hidden; }
    .screen { padding: .5rem; overflow-x: auto; min-height: 12rem; }
    .controls { display: flex; align-items: center; gap: .75rem; padding: .6rem .75rem; background: var(--surface); border-top: 1px solid var(--border); flex-wrap: wrap; }
    .speeds { display: inline-flex; border: 1px solid var(--border); border-radius: 8px; overflow: hidden; }
    .speeds button { border: 0; border-radius: 0; min-height: 2rem; padding: .2rem .7rem; }
    .speeds button[aria-pressed="true"] { background: var(--accent); color: var(--accent-contrast); }
    input[type=range] { flex: 1; min-width: 10rem; padding: 0; min-height: 1.5rem; accent-color: var(--accent); }
    .time { font-family: var(--mono); font-size: .8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
  `];

  disconnectedCallback() {
    cancelAnimationFrame(this.raf);
    this.term?.dispose();
    super.disconnectedCallback();
  }

  protected async firstUpdated() {
    try {
      const [mod, text] = await Promise.all([loadXterm(), api.recording(this.sessionId)]);
      if (!this.isConnected) return;
      adoptCss(this.shadowRoot!, mod.xtermCss);
      const cast = parseCast(text);
      this.events = cast.events;
      this.duration = cast.events.at(-1)?.[0] ?? 0;
      this.term = new mod.Terminal({ cols: cast.width, rows: cast.height, fontSize: 12.5, fontFamily: mod.fontFamily, theme: mod.terminalTheme, disableStdin: true, scrollback: 2000 });
      this.term.open(this.screen);
      this.loaded = true;
      this.play();
    } catch (err) {
      this.error = (err as { code?: string }).code === 'AEGIS_ERR_SESSION_NO_RECORDING' ? 'This session has no recording.' : (err as Error).message;
    }
  }

  /** Writes every event up to `t` seconds. */
  private advance(t: number) {
    let out = '';
    while (this.next < this.events.length && this.events[this.next]![0] <= t) {
      const [, kind, data] = this.events[this.next++]!;
      if (kind === 'o') out += data;
      else if (kind === 'r') {
        if (out) { this.term?.write(out); out = ''; }
        const [c, r] = data.split('x').map(Number);
        if (c && r) this.term?.resize(c, r);
      }
    }
    if (out) this.term?.write(out);
    this.position = t;
  }

  private tick = (now: number) => {
    const t = Math.min(this.duration, this.position + ((now - this.last) / 1000) * this.speed);
    this.last = now;
    this.advance(t);
    if (t >= this.duration) { this.playing = false; return; }
    this.raf = requestAnimationFrame(this.tick);
  };

  private play() {
    if (!this.loaded) return;
    if (this.position >= this.duration) this.seek(0);
    this.playing = true;
    this.last = performance.now();
    cancelAnimationFrame(this.raf);
    this.raf = requestAnimationFrame(this.tick);
  }

  private pause() {
    this.playing = false;
    cancelAnimationFrame(this.raf);
  }

  private seek(t: number) {
    if (t < this.position) { this.term?.reset(); this.next = 0; }
    this.advance(t);
  }

  private fmt(s: number) {
    const m = Math.floor(s / 60);
    return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  }

  render() {
    return html`
      <div class="frame" role="region" aria-label="Recording player">
        <div class="screen" aria-label="Recording"></div>
        <div class="controls">
          ${this.playing
            ? html`<button @click=${this.pause} ?disabled=${!this.loaded}>${icons.pause}Pause</button>`
            : html`<button class="primary" @click=${this.play} ?disabled=${!this.loaded}>${icons.play}Play</button>`}
          <div class="speeds" role="group" aria-label="Speed">
            ${SPEEDS.map((s) => html`<button aria-pressed=${this.speed === s ? 'true' : 'false'} @click=${() => { this.speed = s; }}>${s}x</button>`)}
          </div>
          <label class="sr-only" for="seek">Seek</label>
          <input id="seek" type="range" min="0" max=${Math.max(this.duration, 0.001)} step="0.01" .value=${String(this.position)}
            ?disabled=${!this.loaded} @input=${(e: Event) => this.seek(Number((e.target as HTMLInputElement).value))}>
          <span class="time" aria-live="off">${this.fmt(this.position)} / ${this.fmt(this.duration)}</span>
        </div>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`;
  }
}
