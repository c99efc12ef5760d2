import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ErrorBody } from './errors.js';

/** What a malformed request gets before it ever reaches a route: status and code by parser error. */
function classify(err: NodeJS.ErrnoException): { status: number; reason: string; code: string; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'AEGIS_ERR_HEADERS_TOO_LARGE', message: 'The request headers are larger than the server accepts' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'AEGIS_ERR_REQUEST_TIMEOUT', message: 'The request was not received in time' };
    default:
      return { status: 400, reason: 'Bad Request', code: 'AEGIS_ERR_BAD_REQUEST', message: 'The request is not valid HTTP' };
  }
}

/**
 * The server's `clientError` handler: a request node's HTTP parser refuses (oversized headers,
 * garbage, a timeout) still gets the `{code, message, requestId}` shape, then the socket closes.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) { socket.destroy(); return; }
  const c = classify(err);
  const body = JSON.stringify({ code: c.code, message: c.message, requestId: randomUUID() } satisfies ErrorBody);
  socket.end(`HTTP/1.1 ${c.status} ${c.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
