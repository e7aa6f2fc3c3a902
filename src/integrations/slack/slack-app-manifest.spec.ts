import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INTERACTIONS_PATH } from './slack-interactions.controller.js';

const manifest = parse(
  readFileSync(new URL('../../../deploy/slack-app-manifest.yaml', import.meta.url), 'utf8'),
) as Record<string, any>;

describe('deploy/slack-app-manifest.yaml', () => {
  it('asks for the scopes the Slack calls need, and no more', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual([
      'chat:write',
      'channels:history',
      'groups:history',
      'channels:read',
      'groups:read',
    ]);
  });

  it('sends interactions to the route that checks their signature, over HTTPS', () => {
    const url = new URL(manifest.settings.interactivity.request_url);
    expect(url.protocol).toBe('https:');
    expect(url.pathname).toBe(`/${INTERACTIONS_PATH}`);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('has a bot user and a name within Slack limits', () => {
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
  });
});
