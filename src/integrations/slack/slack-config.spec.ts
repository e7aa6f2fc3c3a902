import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.js';

describe('Slack configuration', () => {
  it('runs in dry-run against Slack itself when nothing is set', () => {
    const config = loadConfig({});
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.slack).toEqual({
      botToken: undefined,
      signingSecret: undefined,
      apiUrl: 'https://slack.com/api/',
      defaultChannel: undefined,
      requestTimeoutMs: 10_000,
      dispatchIntervalMs: 2_000,
      retryBaseMs: 5_000,
      retryMaxMs: 300_000,
      giveUpAfterMs: 86_400_000,
    });
  });

  it('reads every Slack variable, normalising the URLs', () => {
    const config = loadConfig({
      BURNWATCH_PUBLIC_URL: 'https://burnwatch.example.com/',
      SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      SLACK_API_URL: 'http://127.0.0.1:4100/api',
      SLACK_DEFAULT_CHANNEL: '#alerts',
      SLACK_TIMEOUT_SECONDS: '3',
      SLACK_DISPATCH_INTERVAL_SECONDS: '0.05',
      SLACK_RETRY_BASE_SECONDS: '1',
      SLACK_RETRY_MAX_SECONDS: '60',
      SLACK_GIVE_UP_AFTER_SECONDS: '3600',
    });
    expect(config.publicUrl).toBe('https://burnwatch.example.com');
    expect(config.slack).toEqual({
      botToken: 'xoxb-123-456-abc',
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      apiUrl: 'http://127.0.0.1:4100/api/',
      defaultChannel: '#alerts',
      requestTimeoutMs: 3_000,
      dispatchIntervalMs: 50,
      retryBaseMs: 1_000,
      retryMaxMs: 60_000,
      giveUpAfterMs: 3_600_000,
    });
  });

  it('lists every bad Slack variable with its reason', () => {
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: 'my-password',
        SLACK_SIGNING_SECRET: 'short',
        SLACK_DEFAULT_CHANNEL: 'Payments On Call',
        SLACK_API_URL: 'ftp://slack.example',
        SLACK_DISPATCH_INTERVAL_SECONDS: '0',
        BURNWATCH_PUBLIC_URL: 'burnwatch.example.com',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        variable: 'BURNWATCH_PUBLIC_URL',
        message: 'must be a URL like https://burnwatch.example.com, got "burnwatch.example.com"',
      },
      { variable: 'SLACK_BOT_TOKEN', message: 'must be a Slack bot token (it starts with "xoxb-")' },
      {
        variable: 'SLACK_SIGNING_SECRET',
        message:
          "must be the Slack app's signing secret (Basic Information → App Credentials), 16+ characters",
      },
      { variable: 'SLACK_API_URL', message: 'must start with http:// or https://, got "ftp://"' },
      {
        variable: 'SLACK_DEFAULT_CHANNEL',
        message:
          'must be a channel name such as "#payments-oncall" or an ID such as "C0123ABCD", got "Payments On Call"',
      },
      {
        variable: 'SLACK_DISPATCH_INTERVAL_SECONDS',
        message: 'must be a positive number of seconds, got "0"',
      },
    ]);
  });
});
