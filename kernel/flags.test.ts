import t from 'tap';
import { flagValue } from './flags.js';

t.test('a flag is read as --name value, --name=value or an alias', async (t) => {
  t.equal(flagValue(['--config', 'a.yaml'], '--config', '-c'), 'a.yaml');
  t.equal(flagValue(['--config=b.yaml'], '--config', '-c'), 'b.yaml');
  t.equal(flagValue(['serve', '-c', 'c.yaml'], '--config', '-c'), 'c.yaml');
  t.equal(flagValue(['--other', 'x'], '--config'), undefined, 'absent');
});

t.test('a flag without its value is told apart from an absent one', async (t) => {
  t.equal(flagValue(['--state-dir'], '--state-dir'), '');
  t.equal(flagValue(['--state-dir', '--json'], '--state-dir'), '', 'the next flag is not taken as the value');
  t.equal(flagValue(['--state-dir='], '--state-dir'), '');
});
