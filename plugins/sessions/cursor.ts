/** A list position: the sort key of the last session of a page (creation time, then id). */
export interface ListPosition {
  createdAt: string;
  id: string;
}

/** Opaque to clients; stable while sessions are added, since the sort key of a session never changes. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** The position in a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): ListPosition | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return { createdAt: v[0], id: v[1] };
    }
  } catch {
    // Not base64 JSON: not ours.
  }
  return undefined;
}
