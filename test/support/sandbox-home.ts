/**
 * A throw-away HOME in which the real Claude Code CLI (2.1.197) starts
 * offline, straight into its idle prompt, talking to our fake model server.
 *
 * What skips each first-run screen (verified by running the CLI; see
 * plugins/claude-code/NOTES.md):
 *   ~/.claude.json
 *     hasCompletedOnboarding: true   -> no "Welcome to Claude Code" theme picker
 *     customApiKeyResponses.approved -> no "Detected a custom API key in your
 *       environment" prompt (whose default answer is "No"); holds the LAST 20
 *       CHARACTERS of ANTHROPIC_API_KEY
 *     projects[<realpath of workDir>].hasTrustDialogAccepted: true
 *                                    -> no "Accessing workspace" trust dialog
 *       (trust of a parent directory also counts)
 *     bypassPermissionsModeAccepted  -> no "Bypass Permissions mode" warning;
 *       the CLI migrates it to settings.json skipDangerousModePermissionPrompt,
 *       which we also write directly
 *     projects[..].hasCompletedProjectOnboarding -> compact 3-line banner
 *       instead of the big "Welcome back! / Tips for getting started" box
 *       (both are an idle prompt anyway)
 *   The CLI rewrites ~/.claude.json on start (drops theme/autoUpdates, adds
 *   userID, firstStartTime, ...) and keeps backups in ~/.claude/backups/.
 * Env: IS_SANDBOX=1 lets root use bypassPermissions; CLAUDE_CODE_MAX_RETRIES
 * (default 0 here) makes API errors surface immediately.
 */
import { chown, mkdtemp, mkdir, readdir, writeFile, rm, realpath } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeProjectDir } from '../../plugins/claude-code/transcript.js';

export { encodeProjectDir };

export interface SandboxHomeOptions {
  /** Base URL of the fake model server (model.url). */
  baseUrl: string;
  /** Directories the CLI will run in; trust is pre-accepted for these unless listed in `untrusted`. */
  workDirs?: string[];
  /** Work dirs that must show the folder trust dialog (not pre-accepted). */
  untrusted?: string[];
  /** API key to hand the CLI. Default: a fixed fake key. */
  apiKey?: string;
  /** CLAUDE_CODE_MAX_RETRIES for the CLI. Default 0 so API errors surface at once. */
  maxRetries?: number;
  /** Extra env vars to merge (override) into the returned env. */
  extraEnv?: Record<string, string>;
  /** Extra top-level keys for ~/.claude.json. */
  extraConfig?: Record<string, unknown>;
  /** Content for ~/.claude/settings.json (user settings). */
  userSettings?: Record<string, unknown>;
  /** Parent dir for the temp HOME (default os.tmpdir()). */
  parentDir?: string;
  /**
   * Use this existing HOME (an agent user's) instead of a temp one, owned by `owner` afterwards;
   * cleanup then removes only what was written into it.
   */
  home?: { dir: string; owner: { uid: number; gid: number } };
}

export interface SandboxHome {
  home: string;
  claudeDir: string;
  /** Path of ~/.claude.json */
  configFile: string;
  apiKey: string;
  /** Complete environment for spawning the CLI (does not inherit process.env). */
  env: Record<string, string>;
  /** Where the CLI writes the transcript for a session started in `cwd`. */
  transcriptPath(cwd: string, sessionId: string): string;
  /** Remove the whole temp HOME. */
  cleanup(): Promise<void>;
}

export const DEFAULT_API_KEY = 'sk-ant-api03-aegis-test-key-0000000000000000000000000000AA';

function projectEntry(trusted: boolean): Record<string, unknown> {
  return {
    allowedTools: [],
    history: [],
    mcpContextUris: [],
    mcpServers: {},
    enabledMcpjsonServers: [],
    disabledMcpjsonServers: [],
    hasTrustDialogAccepted: trusted,
    projectOnboardingSeenCount: 1,
    hasClaudeMdExternalIncludesApproved: false,
    hasClaudeMdExternalIncludesWarningShown: false,
    hasCompletedProjectOnboarding: true,
  };
}

/** Env vars that keep the CLI quiet and offline. */
export function quietEnv(): Record<string, string> {
  return {
    DISABLE_AUTOUPDATER: '1',
    DISABLE_UPDATES: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_GROWTHBOOK: '1',
    DISABLE_INSTALLATION_CHECKS: '1',
    DISABLE_COST_WARNINGS: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1',
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
    // Forked helper queries that would otherwise look like conversation turns.
    CLAUDE_CODE_ENABLE_PROMPT_SUGGESTION: 'false',
    CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
    // Root may only use bypassPermissions when IS_SANDBOX=1.
    IS_SANDBOX: '1',
  };
}

export async function createSandboxHome(opts: SandboxHomeOptions): Promise<SandboxHome> {
  const home = opts.home ? await realpath(opts.home.dir) : await realpath(await mkdtemp(path.join(opts.parentDir ?? tmpdir(), 'aegis-home-')));
  const claudeDir = path.join(home, '.claude');
  await mkdir(claudeDir, { recursive: true });
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
  // The CLI keys projects by the real path of its cwd.
  const real = async (d: string) => realpath(d).catch(() => path.resolve(d));
  const untrusted = new Set(await Promise.all((opts.untrusted ?? []).map(real)));
  const projects: Record<string, unknown> = {};
  for (const d of opts.workDirs ?? []) {
    const abs = await real(d);
    projects[abs] = projectEntry(!untrusted.has(abs));
  }
  for (const abs of untrusted) projects[abs] = projectEntry(false);

  const config: Record<string, unknown> = {
    numStartups: 1,
    installMethod: 'npm-global',
    autoUpdates: false,
    theme: 'dark',
    hasCompletedOnboarding: true,
    lastOnboardingVersion: '2.1.197',
    lastReleaseNotesSeen: '2.1.197',
    hasSeenTasksHint: true,
    bypassPermissionsModeAccepted: true,
    hasAcknowledgedCostThreshold: true,
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] },
    projects,
    ...opts.extraConfig,
  };
  const configFile = path.join(home, '.claude.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  // The CLI migrates bypassPermissionsModeAccepted into this settings key on
  // first start; writing it directly avoids the Bypass Permissions warning.
  const settings = { skipDangerousModePermissionPrompt: true, ...opts.userSettings };
  await writeFile(path.join(claudeDir, 'settings.json'), JSON.stringify(settings, null, 2));

  if (opts.home) {
    const { uid, gid } = opts.home.owner;
    for (const p of [home, claudeDir, configFile, path.join(claudeDir, 'settings.json')]) await chown(p, uid, gid);
  }

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'root',
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: apiKey,
    CLAUDE_CODE_MAX_RETRIES: String(opts.maxRetries ?? 0),
    ...quietEnv(),
    ...opts.extraEnv,
  };

  return {
    home,
    claudeDir,
    configFile,
    apiKey,
    env,
    transcriptPath(cwd, sessionId) {
      let real = path.resolve(cwd);
      try {
        real = realpathSync(cwd);
      } catch {
        // not created yet: use the path as given
      }
      return path.join(claudeDir, 'projects', encodeProjectDir(real.normalize('NFC')), `${sessionId}.jsonl`);
    },
    async cleanup() {
      if (!opts.home) return rm(home, { recursive: true, force: true });
      await rm(claudeDir, { recursive: true, force: true });
      for (const f of await readdir(home)) if (f.startsWith('.claude.json')) await rm(path.join(home, f), { force: true });
    },
  };
}
