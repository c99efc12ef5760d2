/**
 * Run by the CLI as its SessionStart command hook (HTTP hooks are not offered for that event):
 * posts the hook's JSON from stdin to Aegis with the session secret read from a file, prints
 * nothing (command output of SessionStart would be added to the model's context) and always
 * exits 0, within a few seconds, so a dead server never holds the CLI up.
 *
 *   node hook-forward.js <url> <secret file>
 */
import { readFile } from 'node:fs/promises';

const [url, secretFile] = process.argv.slice(2);
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
try {
  if (url && secretFile) {
    const secret = (await readFile(secretFile, 'utf8')).trim();
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aegis-hook-secret': secret },
      body: Buffer.concat(chunks),
      signal: AbortSignal.timeout(3000),
    });
  }
} catch {
  // Aegis being down must not disturb the agent; the screen still tells its state.
}
process.exit(0);
