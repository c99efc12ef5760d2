/**
 * The CLI's own environment. `ag` is a client process whose interface includes its environment
 * (AEGIS_BASE_URL, AEGIS_AUTH_TOKEN, NO_COLOR, PATH); the server's configuration still goes
 * through kernel/config (loadConfig reads AEGIS_CONFIG and the overlay itself). Read here only,
 * so the rest of bin/ stays free of `process.env` like the server code.
 */
export function cliEnv(): NodeJS.ProcessEnv {
  // biome-ignore lint/style/noProcessEnv: the one place the CLI reads the environment it was started with
  return process.env;
}
