import { realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { CreateSessionInput } from './api.js';
import type { AgentDriver } from './driver.js';
import type { PermissionMode } from './types.js';
import { checkEnv, type RequestEnvRules } from './env.js';
import { agentText } from './text.js';
import {
  AgentOptionsUnsupported, ResumeUnsupported, UnknownAgent, WorkDirNotDirectory, WorkDirNotFound, WorkDirInvalid, WorkDirRelative, ResumeIdInvalid,
} from './errors.js';

/** A create request after every check that needs no registry: what the session will be made of. */
export interface CheckedCreate {
  driver: AgentDriver;
  agent: string;
  /** The real path (symlinks resolved), so guards and reuse compare what will actually be used. */
  workDir: string;
  env: Record<string, string>;
  permissionMode: PermissionMode;
  /** Initial `record.driver` area from `driver.validateOptions`. */
  driverArea: Record<string, unknown>;
  /** The first prompt, checked and normalised for the terminal. */
  prompt?: string;
}

/** The default agent when a request names none. */
export const DEFAULT_AGENT = 'claude-code';

async function checkWorkDir(workDir: string): Promise<string> {
  if (workDir.includes('\0')) throw new WorkDirInvalid();
  if (!isAbsolute(workDir)) throw new WorkDirRelative();
  try {
    const st = await stat(workDir);
    if (!st.isDirectory()) throw new WorkDirNotDirectory(workDir);
    return await realpath(workDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new WorkDirNotFound(workDir);
    throw err;
  }
}

/**
 * Validates a create input against the drivers and the filesystem, in the order a client fixes
 * things: agent, workDir, env, agent options, resume support. Each failure is its own 400 code.
 */
export async function checkCreate(
  input: CreateSessionInput, drivers: ReadonlyMap<string, AgentDriver>, envRules: RequestEnvRules,
): Promise<CheckedCreate> {
  const agent = input.agent ?? DEFAULT_AGENT;
  const driver = drivers.get(agent);
  if (!driver) throw new UnknownAgent(agent, [...drivers.keys()].join(', ') || 'none');
  const workDir = await checkWorkDir(input.workDir);
  const env = checkEnv(input.env, envRules);
  const given = input.agentOptions ?? {};
  let driverArea: Record<string, unknown> = {};
  if (driver.validateOptions) driverArea = driver.validateOptions(given);
  else if (Object.keys(given).length > 0) throw new AgentOptionsUnsupported(agent);
  if (input.resumeSessionId !== undefined && !driver.capabilities.resume) throw new ResumeUnsupported(agent);
  if (input.resumeSessionId !== undefined && driver.validResumeId && !driver.validResumeId(input.resumeSessionId)) throw new ResumeIdInvalid(agent);
  const prompt = input.prompt === undefined ? undefined : agentText(input.prompt);
  return { driver, agent, workDir, env, permissionMode: input.permissionMode ?? 'default', driverArea, prompt };
}
