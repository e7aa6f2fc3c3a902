import { Logger } from '@nestjs/common';
import {
  type Logger as SlackLogger,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { describeSlackError, isTransientSlackError } from './domain/delivery-policy.js';
import type { ModalView } from './domain/slack-interaction.js';
import type { SlackMessage } from './domain/slack-message.js';

/** Marks Burnwatch's messages so that a retry can find one that was posted before a crash. */
export const METADATA_EVENT_TYPE = 'burnwatch_notification';

export interface PostArgs {
  channel: string;
  message: SlackMessage;
  threadTs?: string;
  /** Kept in the message's metadata; what findPosted looks for. */
  notificationId: string;
}

export interface Posted {
  /** Slack's channel ID (a post may name the channel "#name"). */
  channelId: string;
  ts: string;
}

/** The port to Slack's Web API: the calls the outbox needs, with errors classified. */
export interface SlackApi {
  post(args: PostArgs): Promise<Posted>;
  update(channelId: string, ts: string, message: SlackMessage): Promise<void>;
  /** Opens a modal for the user who clicked (the trigger id lasts 3 seconds). */
  openView(triggerId: string, view: ModalView): Promise<void>;
  /** The message posted for this notification since `since` (in the thread when threadTs is set), or null. */
  findPosted(channel: string, notificationId: string, since: Date, threadTs?: string): Promise<Posted | null>;
}

/**
 * A failed call. `permanent`: retrying cannot help (bad channel, bad token). `maybeDelivered`: the request may
 * have reached Slack (a timeout, a 5xx), so the next attempt must look before posting again.
 */
export class SlackCallError extends Error {
  constructor(
    readonly slackError: string,
    readonly permanent: boolean,
    readonly maybeDelivered: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(describeSlackError(slackError));
    this.name = 'SlackCallError';
  }
}

export interface SlackClientOptions {
  token: string;
  apiUrl: string;
  timeoutMs: number;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/** The real client: @slack/web-api's WebClient, with its own retries off because the outbox owns retries. */
export class WebClientSlackApi implements SlackApi {
  private readonly client: WebClient;
  private readonly logger = new Logger('Slack');
  private readonly channelIds = new Map<string, string>();

  constructor(options: SlackClientOptions) {
    this.client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      // One try per outbox attempt: the outbox retries with backoff and survives restarts, WebClient would not.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs,
      logger: nestLogger(this.logger),
      // Never follow a method name given as a URL somewhere else than SLACK_API_URL.
      allowAbsoluteUrls: false,
    });
  }

  async post(args: PostArgs): Promise<Posted> {
    const result = await this.call(() =>
      this.client.chat.postMessage({
        channel: args.channel,
        text: args.message.text,
        blocks: args.message.blocks as never,
        ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
        unfurl_links: false,
        metadata: {
          event_type: METADATA_EVENT_TYPE,
          event_payload: { notification_id: args.notificationId },
        },
      }),
    );
    const posted = { channelId: String(result.channel), ts: String(result.ts) };
    if (!CHANNEL_ID.test(args.channel)) this.channelIds.set(args.channel, posted.channelId);
    return posted;
  }

  async update(channelId: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call(() =>
      this.client.chat.update({
        channel: channelId,
        ts,
        text: message.text,
        blocks: message.blocks as never,
      }),
    );
  }

  async openView(triggerId: string, view: ModalView): Promise<void> {
    await this.call(() => this.client.views.open({ trigger_id: triggerId, view: view as never }));
  }

  async findPosted(
    channel: string,
    notificationId: string,
    since: Date,
    threadTs?: string,
  ): Promise<Posted | null> {
    const channelId = await this.channelId(channel);
    if (!channelId) return null;
    const oldest = (since.getTime() / 1000).toFixed(6);
    let cursor: string | undefined;
    do {
      const page = await this.call(() =>
        threadTs
          ? this.client.conversations.replies({
              channel: channelId,
              ts: threadTs,
              oldest,
              include_all_metadata: true,
              limit: 200,
              cursor,
            })
          : this.client.conversations.history({
              channel: channelId,
              oldest,
              include_all_metadata: true,
              limit: 200,
              cursor,
            }),
      );
      const found = (page.messages ?? []).find(
        (m) =>
          m.metadata?.event_type === METADATA_EVENT_TYPE &&
          (m.metadata.event_payload as Record<string, unknown> | undefined)?.notification_id ===
            notificationId,
      );
      if (found?.ts) return { channelId, ts: found.ts };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return null;
  }

  /** History needs the channel's ID; a "#name" is looked up once (needs channels:read, groups:read). */
  private async channelId(channel: string): Promise<string | null> {
    if (CHANNEL_ID.test(channel)) return channel;
    const known = this.channelIds.get(channel);
    if (known) return known;
    const name = channel.replace(/^#/, '');
    let cursor: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.conversations.list({
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 1000,
          cursor,
        }),
      );
      const match = (page.channels ?? []).find((c) => c.name === name);
      if (match?.id) {
        this.channelIds.set(channel, match.id);
        return match.id;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return null;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classify(error, this.logger);
    }
  }
}

/** WebClient's log lines through Nest's logger (JSON lines like the rest); its debug lines stay at debug. */
function nestLogger(logger: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map(String).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug(text(msg)),
    info: (...msg: unknown[]) => logger.debug(text(msg)),
    warn: (...msg: unknown[]) => logger.warn(text(msg)),
    error: (...msg: unknown[]) => logger.error(text(msg)),
    setLevel: (next: LogLevel) => (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Maps WebClient's errors to what the outbox does next. */
export function classify(error: unknown, logger?: Logger): SlackCallError {
  if (error instanceof WebAPIRateLimitedError) {
    return new SlackCallError('ratelimited', false, false, error.retryAfter * 1000);
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    return new SlackCallError(code, !isTransientSlackError(code), false);
  }
  if (error instanceof WebAPIHTTPError) {
    // A 5xx may come after Slack stored the message; anything else did not reach the method.
    return new SlackCallError(`http_${error.statusCode}`, false, error.statusCode >= 500);
  }
  if (error instanceof WebAPIRequestError) {
    logger?.debug(`Slack request failed: ${error.original.message}`);
    return new SlackCallError(`request_failed (${error.original.message})`, false, true);
  }
  if (error instanceof SlackCallError) return error;
  return new SlackCallError(`unexpected (${(error as Error)?.message ?? String(error)})`, false, true);
}

/** Nest token of the SlackApi; null in dry-run (no token). */
export const SLACK_API_PORT = Symbol('SLACK_API');
