/**
 * A throw-away HOME in which the real Claude Code CLI (2.1.197) starts
 * offline, straight into its idle prompt, talking to our fake model server.
 *
 * What the CLI needs to skip its first-run screens (verified by running it;
 * see plugins/claude-code/NOTES.md):
 *   ~/.claude.json
 *     hasCompletedOnboarding: true        -> no theme picker / login / welcome flow
 *     lastOnboardingVersion               -> no "what's new" onboarding
 *     customApiKeyResponses.approved      -> no "Detected a custom API key" prompt
 *       (holds the LAST 20 CHARACTERS of ANTHROPIC_API_KEY)
 *     projects[<workDir>].hasTrustDialogAccepted -> no folder trust dialog
 *     bypassPermissionsModeAccepted       -> no disclaimer for bypassPermissions
 *   ~/.claude/ (settings.json etc. go here; transcripts under projects/)
 * Env: IS_SANDBOX=1 is required when running as root with bypassPermissions.
 */
import { mkdtemp, mkdir, writeFile, rm, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

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

/** Claude Code's project-dir encoding: every char outside [A-Za-z0-9] becomes '-'. */
export function encodeProjectDir(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

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
    IS_SANDBOX: '1',
  };
}

export async function createSandboxHome(opts: SandboxHomeOptions): Promise<SandboxHome> {
  const home = await realpath(await mkdtemp(path.join(opts.parentDir ?? tmpdir(), 'aegis-home-')));
  const claudeDir = path.join(home, '.claude');
  await mkdir(claudeDir, { recursive: true });
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
  const untrusted = new Set((opts.untrusted ?? []).map((d) => path.resolve(d)));
  const projects: Record<string, unknown> = {};
  for (const d of opts.workDirs ?? []) {
    const abs = path.resolve(d);
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
  if (opts.userSettings) {
    await writeFile(path.join(claudeDir, 'settings.json'), JSON.stringify(opts.userSettings, null, 2));
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
      return path.join(claudeDir, 'projects', encodeProjectDir(cwd), `${sessionId}.jsonl`);
    },
    async cleanup() {
      await rm(home, { recursive: true, force: true });
    },
  };
}
