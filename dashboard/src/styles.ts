import { css } from 'lit';

/** The look every element shares: type, controls, cards, tables, focus rings. Colours come from index.html's tokens. */
export const shared = css`
  :host { display: block; color: var(--text); font-family: var(--font); }
  *, *::before, *::after { box-sizing: border-box; }
  h1 { font-size: 1.45rem; font-weight: 650; margin: 0; letter-spacing: -0.01em; }
  h2 { font-size: 1.05rem; font-weight: 620; margin: 0 0 .75rem; }
  p { margin: 0; }
  a { color: var(--accent); text-decoration: none; }
  a:hover { text-decoration: underline; }
  code, pre, .mono { font-family: var(--mono); font-size: .85rem; }
  .muted { color: var(--muted); }
  .card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
  .pad { padding: 1.1rem 1.25rem; }
  .row { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
  .spacer { flex: 1; }
  .page-head { display: flex; align-items: center; gap: 1rem; margin-bottom: 1.25rem; flex-wrap: wrap; }
  label { display: block; font-weight: 560; font-size: .85rem; margin-bottom: .3rem; }
  input, select, textarea {
    font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border);
    border-radius: 8px; padding: .5rem .65rem; width: 100%; min-height: 2.35rem;
  }
  select { height: 2.35rem; padding-block: 0; }
  textarea { resize: vertical; min-height: 5rem; }
  input:focus-visible, select:focus-visible, textarea:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
    outline: 3px solid var(--focus); outline-offset: 2px;
  }
  button {
    font: inherit; font-weight: 580; cursor: pointer; border-radius: 8px; padding: .45rem .95rem; min-height: 2.35rem;
    border: 1px solid var(--border); background: var(--surface); color: var(--text);
    display: inline-flex; align-items: center; gap: .4rem; white-space: nowrap;
  }
  a.btn { font-weight: 580; border-radius: 8px; padding: .45rem .95rem; min-height: 2.35rem; border: 1px solid var(--border); display: inline-flex; align-items: center; gap: .4rem; text-decoration: none; }
  a.btn.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-contrast); }
  a.btn.primary:hover { background: var(--accent-hover); }
  button:hover { background: var(--surface-2); }
  button:disabled { opacity: .55; cursor: not-allowed; }
  button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-contrast); }
  button.primary:hover { background: var(--accent-hover); }
  button.ok { background: var(--ok); border-color: var(--ok); color: var(--surface); }
  button.danger { background: var(--surface); border-color: var(--danger); color: var(--danger); }
  button.danger:hover { background: var(--danger-soft); }
  button.small { min-height: 1.9rem; padding: .2rem .65rem; font-size: .85rem; }
  .error { color: var(--danger); background: var(--danger-soft); border-radius: 8px; padding: .55rem .8rem; }
  table { width: 100%; border-collapse: collapse; }
  th { text-align: left; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; padding: .6rem .9rem; border-bottom: 1px solid var(--border); }
  td { padding: .65rem .9rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
  tr:last-child td { border-bottom: 0; }
  .empty { padding: 2.5rem 1rem; text-align: center; color: var(--muted); }
  .sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); border: 0; }
  .live-dot { display: inline-flex; align-items: center; gap: .35rem; font-size: .8rem; color: var(--muted); }
  .live-dot::before { content: ''; width: .5rem; height: .5rem; border-radius: 50%; background: var(--muted); }
  .live-dot.live::before, .live-dot.polling::before { background: var(--ok); box-shadow: 0 0 0 3px var(--ok-soft); }
`;
