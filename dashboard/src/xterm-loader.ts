// The terminal library and its stylesheet, in a chunk of their own: only pages with a terminal load them.
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css';

export { Terminal, xtermCss };

/** Colours for the terminal, readable in both themes (it is always dark, like most terminals). */
export const terminalTheme = {
  background: '#0f1117', foreground: '#e6e6e6', cursor: '#e6e6e6', selectionBackground: '#3a4160',
  black: '#1c1f26', red: '#f87171', green: '#4ade80', yellow: '#fbbf24', blue: '#7cb3ff', magenta: '#d8a4ff', cyan: '#67e8f9', white: '#e6e6e6',
  brightBlack: '#6b7280', brightRed: '#fca5a5', brightGreen: '#86efac', brightYellow: '#fde68a', brightBlue: '#bfdbfe', brightMagenta: '#f0abfc', brightCyan: '#a5f3fc', brightWhite: '#ffffff',
};

export const fontFamily = 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';
