#!/usr/bin/env node
import { VERSION } from '../kernel/health.js';

const argv = process.argv.slice(2);
const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';

// Each command loads only what it needs: `ag audit verify` should not pay for the server's start-up.
switch (command) {
  case 'serve': {
    const [{ main }, { catalogue }] = await Promise.all([import('../kernel/main.js'), import('../plugins/index.js')]);
    await main({ argv: command === argv[0] ? argv.slice(1) : argv, catalogue });
    break;
  }
  case 'version':
    process.stdout.write(`${VERSION}\n`);
    break;
  case 'audit': {
    const { auditCommand } = await import('../plugins/audit/cli.js');
    // Without --state-dir, the state directory is the one the server would use (config + AEGIS_STATE_DIR).
    const stateDir = async () => {
      const { loadConfig } = await import('../kernel/config/load.js');
      return (await loadConfig()).stateDir;
    };
    try {
      process.exitCode = await auditCommand(argv.slice(1), process.stdout, process.stderr, stateDir);
    } catch (err) {
      const e = err as { message?: string; code?: string };
      process.stderr.write(`ag: ${e.message?.split('\n')[0] ?? String(err)} [${e.code ?? 'AEGIS_ERR_AUDIT_VERIFY'}]\n`);
      process.exitCode = 2;
    }
    break;
  }
  default:
    process.stderr.write(`ag: unknown command ${command}; try: ag serve [--config <file>], ag version, ag audit verify [--state-dir <dir>]\n`);
    process.exit(2);
}
