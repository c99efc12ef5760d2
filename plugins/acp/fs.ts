import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReadTextFileRequest, ReadTextFileResponse, WriteTextFileRequest, WriteTextFileResponse } from '@agentclientprotocol/sdk';
import { isObject, RPC, RpcError } from './jsonrpc.js';
import { resolveInside } from './workspace.js';

/** `fs/read_text_file`: a file inside the workDir, optionally from a 1-based `line`, at most `limit` lines. */
export async function readTextFile(workDir: string, params: unknown): Promise<ReadTextFileResponse> {
  if (!isObject(params)) throw new RpcError(RPC.invalidParams, 'params must be an object');
  const p = params as Partial<ReadTextFileRequest>;
  const file = await resolveInside(workDir, p.path);
  const text = await readFile(file, 'utf8');
  if (p.line == null && p.limit == null) return { content: text };
  const lines = text.split('\n');
  const from = Math.max(0, (p.line ?? 1) - 1);
  const to = p.limit == null ? lines.length : from + Math.max(0, p.limit);
  return { content: lines.slice(from, to).join('\n') };
}

/** `fs/write_text_file`: creates or replaces a file inside the workDir (and its missing folders). */
export async function writeTextFile(workDir: string, params: unknown): Promise<WriteTextFileResponse> {
  if (!isObject(params)) throw new RpcError(RPC.invalidParams, 'params must be an object');
  const p = params as Partial<WriteTextFileRequest>;
  if (typeof p.content !== 'string') throw new RpcError(RPC.invalidParams, 'content must be a string');
  const file = await resolveInside(workDir, p.path, true);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, p.content);
  return {};
}
