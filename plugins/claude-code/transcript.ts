import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonLines } from '../../kernel/index.js';
import type { TokenUsage, TranscriptEntry } from '../sessions/index.js';

/**
 * Claude Code's project folder name for a working directory (2.1.197): every UTF-16 code unit
 * outside `[A-Za-z0-9]` becomes `-`; a name longer than 200 is cut to 200 and suffixed with `-` and
 * base 36 of the absolute Java-style 31-hash of the whole path.
 */
export function encodeProjectDir(cwd: string): string {
  const flat = cwd.replace(/[^a-zA-Z0-9]/g, '-');
  if (flat.length <= 200) return flat;
  let h = 0;
  for (let i = 0; i < cwd.length; i++) h = ((h << 5) - h + cwd.charCodeAt(i)) | 0;
  return `${flat.slice(0, 200)}-${Math.abs(h).toString(36)}`;
}

/** The shape of Claude Code's conversation ids; nothing else may become part of a path or argv. */
export const CONVERSATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where the CLI keeps a conversation: `<dataDir>/projects/<encoded cwd>/<session id>.jsonl`.
 * Throws for an id that is not a UUID, so a forged id (`../../x`) never names another file.
 */
export function transcriptPath(dataDir: string, workDir: string, sessionId: string): string {
  if (!CONVERSATION_ID.test(sessionId)) throw new Error('not a Claude Code conversation id');
  return join(dataDir, 'projects', encodeProjectDir(workDir.normalize('NFC')), `${sessionId}.jsonl`);
}

/** One line of the CLI's JSONL, as far as Aegis reads it. */
interface Line {
  type?: string;
  subtype?: string;
  uuid?: string;
  parentUuid?: string | null;
  logicalParentUuid?: string | null;
  timestamp?: string;
  isSidechain?: boolean;
  isMeta?: boolean;
  isApiErrorMessage?: boolean;
  message?: { id?: string; role?: string; model?: string; content?: unknown; usage?: Record<string, number> };
}

/** Parses the JSONL, skipping blank, torn (a crash mid-write) or foreign lines. */
export function parseLines(text: string): Line[] {
  return parseJsonLines(text) as Line[];
}

/**
 * The conversation as the CLI sees it: from the newest line nothing points to, back along
 * `parentUuid` (or `logicalParentUuid` across a compaction). File order is not chronological (the
 * first prompt's line can follow its answer), and a rewind leaves abandoned branches in the file.
 */
export function activeChain(lines: Line[]): Line[] {
  const main = lines.filter((l) => typeof l.uuid === 'string' && !l.isSidechain);
  const byId = new Map(main.map((l) => [l.uuid!, l]));
  const parents = new Set(main.map((l) => l.parentUuid ?? l.logicalParentUuid).filter(Boolean));
  let cur = [...main].reverse().find((l) => !parents.has(l.uuid!));
  const chain: Line[] = [];
  const seen = new Set<string>();
  while (cur && !seen.has(cur.uuid!)) {
    seen.add(cur.uuid!);
    chain.push(cur);
    const up = cur.parentUuid ?? cur.logicalParentUuid;
    cur = up ? byId.get(up) : undefined;
  }
  return chain.reverse();
}

type Block = { type?: string; text?: string; name?: string; input?: unknown; content?: unknown };

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[]).map((b) => (b?.type === 'text' ? b.text ?? '' : b?.type === 'image' ? '[image]' : '')).join('');
}

function toolSummary(_name: string | undefined, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const main = i.command ?? i.file_path ?? i.url ?? i.pattern ?? i.plan;
  return typeof main === 'string' ? main : JSON.stringify(input ?? {});
}

type Draft = Omit<TranscriptEntry, 'id' | 'index'>;

/** The entries one line contributes, in block order. */
function entriesOf(l: Line): Draft[] {
  const at = l.timestamp;
  const content = l.message?.content;
  if (l.type === 'system') return l.subtype === 'compact_boundary' ? [{ role: 'system', text: 'Conversation compacted', at }] : [];
  if ((l.type !== 'user' && l.type !== 'assistant') || l.isMeta) return [];
  if (typeof content === 'string') return content.trim() ? [{ role: l.type, text: content, at }] : [];
  if (!Array.isArray(content)) return [];
  const out: Draft[] = [];
  for (const b of content as Block[]) {
    if (b?.type === 'text' && b.text?.trim()) {
      const system = l.type === 'user' && /^\[Request interrupted/.test(b.text);
      out.push({ role: system ? 'system' : l.type, text: b.text, at });
    } else if (b?.type === 'tool_use') {
      out.push({ role: 'tool_use', text: toolSummary(b.name, b.input), at, toolName: b.name, toolInput: b.input });
    } else if (b?.type === 'tool_result') {
      out.push({ role: 'tool_result', text: resultText(b.content), at });
    }
  }
  return out;
}

/**
 * The transcript entries of a CLI conversation file. Ids are the line's `uuid` (`<uuid>#<n>` for
 * a line's later blocks), so they stay put as the file grows.
 */
export function toEntries(text: string): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  for (const l of activeChain(parseLines(text))) {
    entriesOf(l).forEach((e, n) => { out.push({ ...e, id: n === 0 ? l.uuid! : `${l.uuid}#${n}`, index: out.length }); });
  }
  return out;
}

/** Token usage over the whole file; the CLI repeats a response's usage on each of its lines, so per message id. */
export function sumUsage(text: string): TokenUsage {
  const byMessage = new Map<string, Record<string, number>>();
  for (const l of parseLines(text)) {
    const m = l.message;
    if (l.type !== 'assistant' || l.isApiErrorMessage || !m?.usage || m.model === '<synthetic>') continue;
    byMessage.set(m.id ?? l.uuid ?? String(byMessage.size), m.usage);
  }
  const sum: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
  for (const u of byMessage.values()) {
    sum.inputTokens += u.input_tokens ?? 0;
    sum.outputTokens += u.output_tokens ?? 0;
    sum.cacheReadTokens += u.cache_read_input_tokens ?? 0;
    sum.cacheCreationTokens += u.cache_creation_input_tokens ?? 0;
  }
  return sum;
}

/** True when the file holds a conversation `--resume` can load (at least one message). */
export function hasConversation(text: string): boolean {
  return parseLines(text).some((l) => l.type === 'user' || l.type === 'assistant');
}

/** The file's text, or '' when it does not exist yet (the CLI writes it with the first message). */
export async function readTranscriptText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * True when the conversation reaches back to its first line: every parent on the way is in the
 * file. The CLI can write a prompt's line after its answer, so right after a turn the answer may
 * be there while the prompt is not yet.
 */
export function chainRooted(fileText: string): boolean {
  const first = activeChain(parseLines(fileText))[0];
  return first !== undefined && !first.parentUuid;
}

/** True when an assistant line of the file says `text` (compared without whitespace, first 200 chars). */
export function saysAssistant(fileText: string, text: string): boolean {
  const want = text.replace(/\s+/g, '').slice(0, 200);
  if (!want) return true;
  return parseLines(fileText).some((l) => {
    if (l.type !== 'assistant') return false;
    const c = l.message?.content;
    const said = Array.isArray(c) ? (c as Block[]).map((b) => (b?.type === 'text' ? b.text ?? '' : '')).join('') : String(c ?? '');
    return said.replace(/\s+/g, '').includes(want);
  });
}

/**
 * True when the file shows a turn that ended at or after `since` (ms): its `turn_duration` line,
 * the "[Request interrupted" line of an interrupt or a refused tool, or an API error.
 */
export function turnEndedSince(fileText: string, since: number): boolean {
  return parseLines(fileText).some((l) => {
    if (Date.parse(l.timestamp ?? '') < since) return false;
    if (l.type === 'system') return l.subtype === 'turn_duration';
    if (l.type === 'assistant') return l.isApiErrorMessage === true;
    const c = l.message?.content;
    return l.type === 'user' && Array.isArray(c) && (c as Block[]).some((b) => b?.type === 'text' && /^\[Request interrupted/.test(b.text ?? ''));
  });
}
