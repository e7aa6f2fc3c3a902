import { ChildProcess, spawn } from 'node:child_process';
import type { SlackStandIn } from './slack-standin.js';

/**
 * The built service as users run it (`node dist/src/main.js`) on `databaseUrl`, delivering to the Slack stand-in;
 * resolves once it listens, with its URL.
 */
export function startServiceProcess(
  databaseUrl: string,
  slack: SlackStandIn,
  env: Record<string, string> = {},
): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      BURNWATCH_LOG_LEVEL: 'info',
      BURNWATCH_SENSOR: 'off',
      BURNWATCH_PUBLIC_URL: 'http://burnwatch.test',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_SECONDS: '1',
      SLACK_DISPATCH_INTERVAL_SECONDS: '0.05',
      SLACK_RETRY_BASE_SECONDS: '0.05',
      SLACK_RETRY_MAX_SECONDS: '0.5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) resolve({ process: child, url });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`the service exited (${code}) before listening:\n${output}`)),
    );
  });
}

/** Sends `signal` and waits for the exit (nothing when it has already exited). */
export async function stopProcess(running: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill(signal);
  await exited;
}
