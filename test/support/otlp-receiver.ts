import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

/** OTLP span kinds by their number in the protocol. */
const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

/** One span as the receiver decoded it from an OTLP/JSON export. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: (typeof KINDS)[number];
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: string;
  startNs: bigint;
  endNs: bigint;
}

interface AnyValue { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } }
interface KeyValue { key: string; value: AnyValue }

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

/** Ids arrive hex-encoded in OTLP/JSON; base64 (protobuf-JSON style) is turned into hex too. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/** Decodes one `ExportTraceServiceRequest` in its JSON encoding. */
export function decodeExport(body: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const kind = typeof s.kind === 'number' ? KINDS[s.kind] ?? 'UNSPECIFIED' : String(s.kind).replace('SPAN_KIND_', '') as ReceivedSpan['kind'];
        out.push({
          traceId: hexId(s.traceId)!, spanId: hexId(s.spanId)!, parentSpanId: hexId(s.parentSpanId) || undefined,
          name: s.name, kind, attributes: attrs(s.attributes),
          events: (s.events ?? []).map((e: { name: string; attributes?: KeyValue[] }) => ({ name: e.name, attributes: attrs(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message },
          resource, scope: ss.scope?.name ?? '',
          startNs: BigInt(s.startTimeUnixNano ?? 0), endNs: BigInt(s.endTimeUnixNano ?? 0),
        });
      }
    }
  }
  return out;
}

/** A real OTLP/HTTP receiver on 127.0.0.1 owned by a test. */
export interface OtlpReceiver {
  /** The endpoint to configure (spans are posted to `<url>/v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  /** Every request received, with its path and content type. */
  requests: Array<{ path: string; contentType: string }>;
  /** Resolves once a span matching `pred` arrived; rejects after `ms`. */
  waitForSpan(pred: (s: ReceivedSpan) => boolean, ms?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/** Starts a receiver accepting OTLP/HTTP JSON trace exports; anything else is answered 415. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const waiters = new Set<{ pred: (s: ReceivedSpan) => boolean; resolve: (s: ReceivedSpan) => void }>();
  const server = createServer(async (req, res) => {
    const contentType = String(req.headers['content-type'] ?? '');
    requests.push({ path: req.url ?? '', contentType });
    const raw = await body(req);
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !contentType.startsWith('application/json')) {
      res.writeHead(415).end();
      return;
    }
    const got = decodeExport(JSON.parse(raw.toString('utf8')));
    spans.push(...got);
    for (const s of got) for (const w of waiters) if (w.pred(s)) { waiters.delete(w); w.resolve(s); }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, spans, requests,
    waitForSpan(pred, ms = 20000) {
      const hit = spans.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (s: ReceivedSpan) => { clearTimeout(timer); resolve(s); } };
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching span within ${ms} ms; got ${spans.map((s) => s.name).join(', ')}`)); }, ms);
        waiters.add(w);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
