import t from 'tap';
import { agentText } from './text.js';

const codeOf = (f: () => unknown) => { try { f(); return undefined; } catch (err) { return (err as { code?: string }).code; } };

t.test('ordinary text, tabs and newlines pass unchanged', async (t) => {
  t.equal(agentText('list the files\n\tthen stop'), 'list the files\n\tthen stop');
  t.equal(agentText('emoji 🙂 and ünïcode'), 'emoji 🙂 and ünïcode');
});

t.test('CR and CRLF become LF and leading blank lines go', async (t) => {
  t.equal(agentText('\r\n\r\nhello\r\nworld\rend'), 'hello\nworld\nend');
});

t.test('control characters, lone surrogates and blank text are refused with TEXT_INVALID', async (t) => {
  for (const bad of ['a\u0000b', 'x\u001b[201~y', 'bell\u0007', 'del\u007f', 'csi\u009b1m', 'a\ud800', '\udc00b', '\n \n\t']) {
    t.equal(codeOf(() => agentText(bad)), 'AEGIS_ERR_SESSION_TEXT_INVALID', JSON.stringify(bad));
  }
});
