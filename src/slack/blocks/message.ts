/**
 * What a Slack message is made of, and constructors for its blocks that never exceed a
 * single block's limits (the whole message's budget is budget.ts's concern).
 */
import type { types } from '@slack/bolt';
import { LIMITS, truncate } from './limits.ts';

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** The notification and screen-reader text: always present, always carries the key facts. */
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** A section of mrkdwn, cut to Slack's limit. */
export function section(text: string, accessory?: types.Button): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.text) }, ...(accessory ? { accessory } : {}) };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.header), emoji: true } };
}

export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.text) })),
  };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function actions(buttons: readonly types.Button[]): Block {
  return { type: 'actions', elements: buttons.slice(0, LIMITS.actions) };
}

export function button(text: string, options: { actionId: string; value?: string; url?: string; style?: 'primary' | 'danger' }): types.Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: options.actionId.slice(0, 255),
    ...(options.value === undefined ? {} : { value: options.value.slice(0, LIMITS.buttonValue) }),
    ...(options.url === undefined ? {} : { url: options.url.slice(0, LIMITS.url) }),
    ...(options.style ? { style: options.style } : {}),
  };
}

/** The fallback text, cut to its limit. */
export function fallback(text: string): string {
  return truncate(text, LIMITS.fallbackText);
}
