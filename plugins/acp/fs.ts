import type { ReadTextFileRequest, ReadTextFileResponse, WriteTextFileRequest, WriteTextFileResponse } from '@agentclientprotocol/sdk';
import { isObject, RPC, RpcError } from './jsonrpc.js';
import type { Workspace } from './workspace.js';

/** Most bytes one `fs/*` call may read or write. */
export interface FsLimits { maxReadBytes: number; maxWriteBytes: number }

const count = (v: unknown, name: string) => {
  if (v == null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RpcError(RPC.invalidParams, `${name} must be a non-negative integer`);
  return v;
};

/**
 * `fs/read_text_file`: a file inside the workDir, optionally from a 1-based `line`, at most `limit`
 * lines. At most `maxReadBytes` are read: a bigger file must be asked for by line range, and a
 * range that reaches past the cap is refused rather than cut silently.
 */
export async function readTextFile(ws: Workspace, params: unknown, limits: FsLimits): Promise<ReadTextFileResponse> {
  if (!isObject(params)) throw new RpcError(RPC.invalidParams, 'params must be an object');
  const p = params as Partial<ReadTextFileRequest>;
  const line = count(p.line, 'line');
  const limit = count(p.limit, 'limit');
  const fh = await ws.openForRead(p.path as string);
  try {
    const size = (await fh.stat()).size;
    const ranged = line != null || limit != null;
    if (!ranged && size > limits.maxReadBytes) {
      throw new RpcError(RPC.invalidParams, `the file is ${size} bytes; one read returns at most ${limits.maxReadBytes}: ask for a line range`);
    }
    const want = Math.min(size, limits.maxReadBytes);
    const buf = Buffer.alloc(want);
    const { bytesRead } = await fh.read(buf, 0, want, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    if (!ranged) return { content: text };
    const lines = text.split('\n');
    const from = Math.max(0, (line ?? 1) - 1);
    const to = limit == null ? lines.length : from + limit;
    // Past the cap the last line read may be cut: only whole lines before it are served.
    const whole = size > want ? lines.length - 1 : lines.length;
    if (to > whole && (size > want)) {
      throw new RpcError(RPC.invalidParams, `lines ${from + 1}..${to} reach past the first ${limits.maxReadBytes} bytes, the most one read returns`);
    }
    return { content: lines.slice(from, to).join('\n') };
  } finally {
    await fh.close();
  }
}

/** `fs/write_text_file`: creates or replaces a file inside the workDir (and its missing folders), at most `maxWriteBytes`. */
export async function writeTextFile(ws: Workspace, params: unknown, limits: FsLimits): Promise<WriteTextFileResponse> {
  if (!isObject(params)) throw new RpcError(RPC.invalidParams, 'params must be an object');
  const p = params as Partial<WriteTextFileRequest>;
  if (typeof p.content !== 'string') throw new RpcError(RPC.invalidParams, 'content must be a string');
  const data = Buffer.from(p.content, 'utf8');
  if (data.length > limits.maxWriteBytes) throw new RpcError(RPC.invalidParams, `content is ${data.length} bytes; at most ${limits.maxWriteBytes} may be written`);
  const fh = await ws.openForWrite(p.path as string);
  try {
    await fh.truncate(0);
    await fh.write(data, 0, data.length, 0);
  } finally {
    await fh.close();
  }
  return {};
}
