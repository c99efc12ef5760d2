import type { Attributes } from '@opentelemetry/api';
import { SpanAttr } from '../../kernel/index.js';
import type { SessionRecord } from '../sessions/index.js';

/** The attributes every ACP span of a session carries. */
export function sessionAttributes(r: Readonly<SessionRecord>): Attributes {
  return {
    [SpanAttr.sessionId]: r.id, [SpanAttr.agent]: r.agent, [SpanAttr.permissionMode]: r.permissionMode,
    ...(r.owner.tenantId ? { [SpanAttr.tenant]: r.owner.tenantId } : {}),
  };
}
