import { main } from './kernel/main.js';
import { catalogue } from './plugins/index.js';

await main({ argv: process.argv.slice(2), catalogue });
