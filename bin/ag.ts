#!/usr/bin/env node
import { main } from '../kernel/main.js';
import { catalogue } from '../plugins/index.js';
import { VERSION } from '../kernel/health.js';

const argv = process.argv.slice(2);
const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';

switch (command) {
  case 'serve':
    await main({ argv: command === argv[0] ? argv.slice(1) : argv, catalogue });
    break;
  case 'version':
    process.stdout.write(`${VERSION}\n`);
    break;
  default:
    process.stderr.write(`ag: unknown command ${command}; try: ag serve [--config <file>], ag version\n`);
    process.exit(2);
}
