import { promptTexts, type ErrorReply, type MessageReply, type ModelServer, type RecordedRequest, type Reply } from '../support/model-server.js';

/**
 * Routes the scripted model server's turns by conversation, so sessions can run in parallel on
 * one server: a conversation is known by its first human prompt, and each has its own queue of
 * replies. Dynamic replies (exitPlanMode) are built here, their follow-ups queued on the same
 * conversation rather than the server's shared script.
 */
export class Conversations {
  private readonly queues = new Map<string, Reply[]>();

  constructor(model: ModelServer, private readonly fallback: MessageReply) {
    model.setDefaultReply({ kind: 'dynamic', build: (req) => this.next(req) });
  }

  /** Scripts the replies for the conversation that starts with `firstPrompt`. */
  script(firstPrompt: string, replies: Reply[]): void {
    this.queues.set(firstPrompt, [...(this.queues.get(firstPrompt) ?? []), ...replies]);
  }

  /** The first human prompt of a request: the conversation it belongs to. */
  static key(req: RecordedRequest): string {
    // Trimmed: after an API error the CLI sends the earlier prompt back with a trailing newline.
    return (promptTexts(req.body)[0] ?? '').trim();
  }

  private next(req: RecordedRequest): MessageReply | ErrorReply {
    const queue = this.queues.get(Conversations.key(req)) ?? [];
    let r = queue.shift();
    while (r?.kind === 'dynamic') {
      const built = r.build(req);
      if (Array.isArray(built)) {
        queue.unshift(...built.slice(1));
        r = built[0];
      } else r = built;
    }
    return r ?? this.fallback;
  }
}
