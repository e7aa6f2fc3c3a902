import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API: a real HTTP server on 127.0.0.1 that answers the methods Burnwatch calls
 * the way Slack does (form or JSON bodies, `Authorization: Bearer`, HTTP 200 with `{ ok: false, error }` for
 * refusals, 429 with Retry-After), keeps the channels' messages, and records every request. Faults can be injected
 * for a number of calls, and a reply can be held back (to kill the caller between Slack's work and its reply).
 */

export interface RecordedRequest {
  method: string;
  /** The arguments as Slack reads them: JSON-valued form fields (blocks, metadata) parsed. */
  args: Record<string, unknown>;
  contentType: string;
  token: string | undefined;
  status: number;
  response: Record<string, unknown> | undefined;
  /** ms since the epoch when the request arrived. */
  at: number;
}

export interface StoredMessage {
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | undefined;
  edited: boolean;
}

export interface Channel {
  id: string;
  name: string;
  /** The bot is a member (posting to a channel it is not in answers not_in_channel). */
  member: boolean;
}

export type Fault =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfterSeconds: number }
  | { error: string }
  /** Slack did the work (the message is stored) but the reply is a 500: the caller cannot know. */
  | { status: 500; afterCommit: true };

export interface Hold {
  /** Resolves when a held request has arrived (and, with `commit: 'before'`, its message is stored). */
  arrived: Promise<RecordedRequest>;
  /** Sends the held reply. */
  release(): void;
  /** Closes the connection without a reply. */
  abort(): void;
}

const DEFAULT_CHANNELS: Channel[] = [
  { id: 'C0PAYMENTS', name: 'payments-oncall', member: true },
  { id: 'C0DEFAULT1', name: 'alerts', member: true },
  { id: 'C0OUTSIDER', name: 'not-joined', member: false },
];

const METHODS = new Set([
  'auth.test',
  'chat.postMessage',
  'chat.update',
  'conversations.history',
  'conversations.replies',
  'conversations.list',
  'views.open',
]);

export class SlackStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly faults: { method: string; fault: Fault; remaining: number }[] = [];
  private readonly holds: {
    method: string;
    commit: 'before' | 'never';
    arrived: (r: RecordedRequest) => void;
    gate: Promise<'release' | 'abort'>;
    open: (how: 'release' | 'abort') => void;
  }[] = [];
  private lastTs = 0;
  /** Modals opened with views.open, oldest first. */
  readonly views: { triggerId: string; view: Record<string, any> }[] = [];
  /** How long every call takes before Slack answers it (a slow Slack). */
  delayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly token: string,
    private readonly channels: Channel[],
  ) {}

  static async start(options: { token?: string; channels?: Channel[] } = {}): Promise<SlackStandIn> {
    const holder: { standIn?: SlackStandIn } = {};
    const server = createServer((req, res) => void holder.standIn!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.standIn = new SlackStandIn(
      server,
      `http://127.0.0.1:${port}/api/`,
      options.token ?? 'xoxb-test-token',
      options.channels ?? DEFAULT_CHANNELS,
    );
    return holder.standIn;
  }

  async close(): Promise<void> {
    for (const hold of this.holds) hold.open('abort');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets requests, messages, faults and holds (between tests). */
  reset(): void {
    this.delayMs = 0;
    this.requests.splice(0);
    this.messages.clear();
    this.views.splice(0);
    this.faults.splice(0);
    for (const hold of this.holds.splice(0)) hold.open('abort');
  }

  /** The next `count` calls of `method` ('*' for any) answer with `fault`. */
  inject(fault: Fault, count: number, method = '*'): void {
    this.faults.push({ method, fault, remaining: count });
  }

  /**
   * Holds the reply to the next call of `method`. commit 'before': Slack stores the message and then waits to
   * reply; 'never': the request arrives but is never carried out (use abort()).
   */
  hold(method: string, commit: 'before' | 'never' = 'before'): Hold {
    let arrived!: (r: RecordedRequest) => void;
    let open!: (how: 'release' | 'abort') => void;
    const arrivedPromise = new Promise<RecordedRequest>((resolve) => (arrived = resolve));
    const gate = new Promise<'release' | 'abort'>((resolve) => (open = resolve));
    this.holds.push({ method, commit, arrived, gate, open });
    return { arrived: arrivedPromise, release: () => open('release'), abort: () => open('abort') };
  }

  /** Recorded calls of one method, oldest first. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** Successful calls of one method (what reached Slack's users). */
  okCalls(method: string): RecordedRequest[] {
    return this.calls(method).filter((r) => r.response?.ok === true);
  }

  /** A channel's top-level messages and replies, oldest first. */
  history(channelId: string): StoredMessage[] {
    return [...(this.messages.get(channelId) ?? [])];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const raw = await readBody(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const args = parseArgs(contentType, raw);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const record: RecordedRequest = {
      method,
      args,
      contentType,
      token,
      status: 200,
      response: undefined,
      at: Date.now(),
    };
    this.requests.push(record);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));

    const fault = this.takeFault(method);
    if (fault && !('afterCommit' in fault)) {
      if ('error' in fault) return this.reply(res, record, 200, { ok: false, error: fault.error });
      if (fault.status === 429) {
        return this.reply(
          res,
          record,
          429,
          { ok: false, error: 'ratelimited' },
          {
            'Retry-After': String(fault.retryAfterSeconds),
          },
        );
      }
      return this.reply(res, record, fault.status, undefined, {}, 'upstream error');
    }

    const holdIndex = this.holds.findIndex((h) => h.method === method);
    const hold = holdIndex >= 0 ? this.holds.splice(holdIndex, 1)[0] : undefined;
    if (hold?.commit === 'never') {
      hold.arrived(record);
      if ((await hold.gate) === 'abort') return void res.destroy();
    }
    const body = this.carryOut(method, args, token);
    if (hold?.commit === 'before') {
      hold.arrived(record);
      if ((await hold.gate) === 'abort') {
        record.status = 0;
        record.response = body;
        return void res.destroy();
      }
    }
    if (fault) {
      // afterCommit: the work is done, the caller hears a 500.
      record.response = body;
      record.status = 500;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream error');
      return;
    }
    this.reply(res, record, 200, body);
  }

  private takeFault(method: string): Fault | undefined {
    const entry = this.faults.find((f) => f.remaining > 0 && (f.method === '*' || f.method === method));
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  private reply(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: Record<string, unknown> | undefined,
    headers: Record<string, string> = {},
    text?: string,
  ): void {
    record.status = status;
    record.response = body;
    if (body)
      res
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        .end(JSON.stringify(body));
    else res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text ?? '');
  }

  /** Slack's behaviour for each method. */
  private carryOut(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    if (!METHODS.has(method)) return { ok: false, error: 'unknown_method' };
    if (!token) return { ok: false, error: 'not_authed' };
    if (token !== this.token) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://burnwatch-test.slack.com/',
          team: 'Burnwatch Test',
          user: 'burnwatch',
          team_id: 'T0TEST',
          user_id: 'U0BOT',
          bot_id: 'B0BOT',
        };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.update(args);
      case 'conversations.history':
      case 'conversations.replies':
        return this.read(method, args);
      case 'views.open':
        return this.openView(args);
      case 'conversations.list':
        return {
          ok: true,
          channels: this.channels.map((c) => ({
            id: c.id,
            name: c.name,
            is_member: c.member,
            is_channel: true,
          })),
          response_metadata: { next_cursor: '' },
        };
    }
    return { ok: false, error: 'unknown_method' };
  }

  private findChannel(raw: unknown, byNameToo: boolean): Channel | undefined {
    if (typeof raw !== 'string') return undefined;
    return this.channels.find((c) => c.id === raw || (byNameToo && (`#${c.name}` === raw || c.name === raw)));
  }

  private postMessage(args: Record<string, unknown>): Record<string, unknown> {
    const channel = this.findChannel(args.channel, true);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (!channel.member) return { ok: false, error: 'not_in_channel' };
    const problem = checkContent(args);
    if (problem) return { ok: false, error: problem };
    const list = this.messages.get(channel.id) ?? [];
    const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
    if (threadTs && !list.some((m) => m.ts === threadTs && !m.threadTs))
      return { ok: false, error: 'thread_not_found' };
    const message: StoredMessage = {
      ts: this.nextTs(),
      text: String(args.text ?? ''),
      blocks: args.blocks as unknown[] | undefined,
      threadTs,
      metadata: args.metadata as StoredMessage['metadata'],
      edited: false,
    };
    list.push(message);
    this.messages.set(channel.id, list);
    return { ok: true, channel: channel.id, ts: message.ts, message: this.view(message, false) };
  }

  private update(args: Record<string, unknown>): Record<string, unknown> {
    // chat.update takes a channel ID only.
    const channel = this.findChannel(args.channel, false);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const message = this.messages.get(channel.id)?.find((m) => m.ts === args.ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    const problem = checkContent(args);
    if (problem) return { ok: false, error: problem };
    Object.assign(message, { text: String(args.text ?? ''), blocks: args.blocks, edited: true });
    return {
      ok: true,
      channel: channel.id,
      ts: message.ts,
      text: message.text,
      message: this.view(message, false),
    };
  }

  /** views.open: a trigger id and a modal with a title of at most 24 characters and at most 100 blocks. */
  private openView(args: Record<string, unknown>): Record<string, unknown> {
    if (typeof args.trigger_id !== 'string' || args.trigger_id === '')
      return { ok: false, error: 'invalid_arguments' };
    const view = args.view as Record<string, any> | undefined;
    if (!view || view.type !== 'modal' || !Array.isArray(view.blocks) || view.blocks.length > 100)
      return { ok: false, error: 'invalid_arguments' };
    if (typeof view.title?.text !== 'string' || view.title.text.length > 24)
      return { ok: false, error: 'invalid_arguments' };
    this.views.push({ triggerId: args.trigger_id, view });
    return { ok: true, view: { id: `V${String(this.views.length).padStart(8, '0')}`, ...view } };
  }

  private read(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = this.findChannel(args.channel, false);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const oldest = Number(args.oldest ?? 0);
    const all = this.messages.get(channel.id) ?? [];
    let messages: StoredMessage[];
    if (method === 'conversations.replies') {
      const parent = all.find((m) => m.ts === args.ts);
      if (!parent) return { ok: false, error: 'thread_not_found' };
      // The parent first, then its replies, oldest first; `oldest` filters the replies.
      messages = [parent, ...all.filter((m) => m.threadTs === parent.ts && Number(m.ts) >= oldest)];
    } else {
      // Top-level messages, newest first.
      messages = all.filter((m) => !m.threadTs && Number(m.ts) >= oldest).reverse();
    }
    return {
      ok: true,
      messages: messages.map((m) => this.view(m, withMetadata)),
      has_more: false,
      response_metadata: { next_cursor: '' },
    };
  }

  private view(m: StoredMessage, withMetadata: boolean): Record<string, unknown> {
    return {
      type: 'message',
      bot_id: 'B0BOT',
      ts: m.ts,
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      ...(m.edited ? { edited: { user: 'U0BOT', ts: m.ts } } : {}),
    };
  }

  /** Slack's ts: seconds with six digits, unique and increasing within a channel. */
  private nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return (micros / 1e6).toFixed(6);
  }
}

/** Slack's limits on a message: 50 blocks, header 150 characters, section text 3000, fields 10 of 2000. */
function checkContent(args: Record<string, unknown>): string | undefined {
  const blocks = args.blocks;
  const text = args.text;
  if (blocks === undefined && (typeof text !== 'string' || text === '')) return 'no_text';
  if (typeof text === 'string' && text.length > 40_000) return 'msg_too_long';
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks as Record<string, any>[]) {
    if (block.type === 'header' && (block.text?.type !== 'plain_text' || block.text.text.length > 150))
      return 'invalid_blocks';
    if (block.type === 'section') {
      if (!block.text && !block.fields) return 'invalid_blocks';
      if (block.text && (typeof block.text.text !== 'string' || block.text.text.length > 3000))
        return 'invalid_blocks';
      if (block.fields && (block.fields.length > 10 || block.fields.some((f: any) => f.text.length > 2000)))
        return 'invalid_blocks';
    }
    if (!['header', 'section', 'context', 'divider', 'actions'].includes(block.type)) return 'invalid_blocks';
    if (block.type === 'context' && (!Array.isArray(block.elements) || block.elements.length > 10))
      return 'invalid_blocks';
    if (
      block.type === 'actions' &&
      (!Array.isArray(block.elements) ||
        block.elements.length > 25 ||
        block.elements.some((e: any) => !e.action_id || String(e.value ?? '').length > 2000))
    )
      return 'invalid_blocks';
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form bodies carry JSON-valued fields (blocks, metadata) as JSON text; Slack parses them, so does the stand-in. */
function parseArgs(contentType: string, raw: string): Record<string, unknown> {
  if (contentType === 'application/json') return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = ['blocks', 'metadata', 'attachments', 'view'].includes(key) ? JSON.parse(value) : value;
  }
  return args;
}
