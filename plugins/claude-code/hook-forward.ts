/**
 * Run by the CLI as its SessionStart command hook (HTTP hooks are not offered for that event):
 * posts the hook's JSON from stdin to Aegis with the session secret read from a file, prints
 * nothing (command output of SessionStart would be added to the model's context) and always
 * exits 0, within a few seconds, so a dead server never holds the CLI up.
 *
 * It runs beside every CLI while it boots, on the same cores, so it stays as small as it can:
 * node:http rather than fetch, whose HTTP stack alone costs more CPU to load than the rest.
 *
 *   node hook-forward.js <url> <secret file>
 */
import { readFile } from 'node:fs/promises';

const TIMEOUT_MS = 3000;
const [url, secretFile] = process.argv.slice(2);
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);

async function forward(target: string, file: string): Promise<void> {
  const secret = (await readFile(file, 'utf8')).trim();
  const body = Buffer.concat(chunks);
  // Aegis's hook URL is plain HTTP on its own address; https is loaded only if one is ever given.
  const { request } = target.startsWith('https:') ? await import('node:https') : await import('node:http');
  await new Promise<void>((resolve) => {
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-aegis-hook-secret': secret },
      timeout: TIMEOUT_MS,
    }, (res) => { res.resume(); res.on('end', resolve); res.on('error', () => resolve()); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end(body);
  });
}

try {
  if (url && secretFile) await forward(url, secretFile);
} catch {
  // Aegis being down must not disturb the agent; the screen still tells its state.
}
process.exit(0);
