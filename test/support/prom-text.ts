/**
 * A strict parser of the Prometheus text exposition format (0.0.4), so tests read /metrics the
 * way a scraper does instead of grepping it. It throws on anything a scraper would reject.
 */

/** One sample: its full name (with _bucket/_sum/_count), labels and value. */
export interface Sample { name: string; labels: Record<string, string>; value: number }

/** One metric family: its # TYPE and # HELP, and its samples. */
export interface Family { name: string; type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'; help: string; samples: Sample[] }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''], counter: [''], gauge: [''], untyped: [''] };

/** Values are read as Go's ParseFloat reads them (Prometheus does): NaN and Inf in any case. */
function parseValue(raw: string, line: string): number {
  if (/^[+]?inf(inity)?$/i.test(raw)) return Infinity;
  if (/^-inf(inity)?$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const n = Number(raw);
  if (raw === '' || Number.isNaN(n)) throw new Error(`bad value ${JSON.stringify(raw)} in: ${line}`);
  return n;
}

/** Reads `{a="x",b="y"}` starting at `i`; returns the labels and the index after `}`. */
function parseLabels(s: string, i: number, line: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`label without = in: ${line}`);
    const key = s.slice(i, eq).trim();
    if (!LABEL.test(key)) throw new Error(`bad label name ${key} in: ${line}`);
    if (key in labels) throw new Error(`duplicate label ${key} in: ${line}`);
    if (s[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let j = eq + 2;
    let v = '';
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\\') {
        const n = s[++j];
        if (n === 'n') v += '\n'; else if (n === '\\' || n === '"') v += n; else throw new Error(`bad escape \\${n} in: ${line}`);
      } else v += s[j];
    }
    if (s[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    labels[key] = v;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`expected , or } in: ${line}`);
  }
  return [labels, i + 1];
}

/** Parses a whole exposition; families by name. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  let current: Family | undefined;
  const familyOf = (sample: string): Family | undefined => {
    for (const f of families.values()) if (SUFFIXES[f.type].some((suf) => f.name + suf === sample)) return f;
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue;
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      const f = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type in: ${line}`);
        if (f.samples.length) throw new Error(`TYPE after samples for ${name}`);
        f.type = rest as Family['type'];
      } else f.help = rest;
      current = f;
      continue;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && brace < space ? brace : space;
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`bad sample name in: ${line}`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (line[i] === '{') [labels, i] = parseLabels(line, i, line);
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2) throw new Error(`bad sample in: ${line}`);
    const value = parseValue(rest[0], line);
    if (rest[1] !== undefined && !/^-?\d+$/.test(rest[1])) throw new Error(`bad timestamp in: ${line}`);
    const f = familyOf(name) ?? (current && name === current.name ? current : undefined);
    if (!f) throw new Error(`sample ${name} belongs to no declared family`);
    if (f.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined) throw new Error(`bucket without le in: ${line}`);
    f.samples.push({ name, labels, value });
  }
  return families;
}

/** The value of the sample `name` whose labels include `labels`; undefined when absent. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}

/** The sum of all samples named `name` whose labels include `labels`. */
export function sampleSum(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}
