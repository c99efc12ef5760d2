import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { readTranscriptText } from './transcript.js';

/**
 * Resolves once the CLI's conversation file passes `test`, or after `ms`. The CLI writes its file
 * in batches, up to ~100 ms after a turn ended on screen and in its Stop hook; this lets the
 * driver report the end of a turn when the transcript already shows it. Woken by file-system
 * events on the folder; the bound covers a platform without them.
 */
export async function transcriptCatchUp(file: string, test: (text: string) => boolean, ms: number): Promise<void> {
  const has = async () => test(await readTranscriptText(file));
  if (await has()) return;
  await new Promise<void>((resolve) => {
    let watcher: FSWatcher | undefined;
    let looking = false;
    let again = false;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, ms);
    // One read at a time; a change seen meanwhile is looked at after it.
    const look = () => {
      if (looking) { again = true; return; }
      looking = true;
      again = false;
      const next = (ok: boolean) => { looking = false; if (ok) done(); else if (again) look(); };
      has().then(next, () => next(false));
    };
    try {
      watcher = watch(dirname(file), look);
      watcher.on('error', () => undefined);
    } catch {
      // The CLI makes the project folder with the conversation's first write, so on a first turn
      // there is nothing to watch yet: look every 50 ms instead, within the same bound.
      const every = setInterval(look, 50);
      watcher = { close: () => clearInterval(every) } as FSWatcher;
    }
    // The line may have landed between the first look and the watch.
    look();
  });
}
