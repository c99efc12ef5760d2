import t from 'tap';
import { PROTOCOL_VERSION as SDK_VERSION } from '@agentclientprotocol/sdk';
import { PROTOCOL_VERSION } from './handshake.js';

t.test('Aegis offers agents the protocol version of the ACP SDK it is built against', async (t) => {
  t.equal(PROTOCOL_VERSION, SDK_VERSION);
});
