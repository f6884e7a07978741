import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMAND } from '../src/slack/listeners/commands.ts';

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('creates the app the bot expects, in Socket Mode', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_mention']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'chat:write', 'chat:write.public', 'commands', 'users:read']);
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: COMMAND, should_escape: true });
    expect(command.description.length).toBeLessThanOrEqual(100);
    expect(command.usage_hint.length).toBeLessThanOrEqual(100);
  });
});
