/**
 * Slack's Block Kit limits, enforced in one place. Renderers add blocks through a budget that
 * refuses what would not fit; long lists are cut with "and N more". A message built here is
 * always postable: exceeding a limit would make Slack refuse it (`invalid_blocks`), and a digest
 * that is not posted is the worst failure the bot can have.
 */
import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** The notification and screen-reader text: always present, always carries the key facts. */
  readonly text: string;
  readonly blocks: readonly Block[];
}

export const LIMITS = {
  blocks: 50,
  text: 3000,
  header: 150,
  fields: 10,
  field: 2000,
  actions: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  /** Our budget for all block text: Slack's undocumented msg_blocks_too_long bites at ~11–13k. */
  messageChars: 10_000,
  /** The top-level `text`: Slack allows 40k; a notification needs far less. */
  fallbackText: 3000,
} as const;

export const NARROW_HINT = 'narrow it with `/restorepoints NAME`';

/**
 * Cuts text to `max` characters, never inside an `&…;` escape or a `<…>` token (a cut date
 * token would show its raw syntax).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const open = text.lastIndexOf('<', end);
  if (open !== -1 && text.indexOf('>', open) >= end) end = open;
  const amp = text.lastIndexOf('&', end);
  if (amp !== -1 && amp > end - 6 && text.indexOf(';', amp) >= end) end = amp;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Characters of text a block shows (what Slack's message-size cap counts). */
export function blockChars(block: Block): number {
  let total = 0;
  const visit = (value: unknown): void => {
    if (typeof value === 'string') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') total += inner.length;
        else visit(inner);
      }
    }
  };
  visit(block);
  return total;
}

/**
 * Joins list items into text of at most `max` characters; what does not fit is summarised as
 * "and N more — narrow it with `/restorepoints NAME`".
 */
export function listWithin(items: readonly string[], max: number, separator = '\n', hint = NARROW_HINT): { text: string; omitted: number } {
  const tail = (omitted: number) => `${separator}…and ${omitted} more — ${hint}`;
  let text = '';
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const candidate = text ? `${text}${separator}${item}` : item;
    const remaining = items.length - index - 1;
    const reserve = remaining > 0 ? tail(remaining).length : 0;
    if (candidate.length + reserve > max) {
      const omitted = items.length - index;
      const cut = text ? `${text}${tail(omitted)}` : `…${omitted} items — ${hint}`;
      return { text: truncate(cut, max), omitted };
    }
    text = candidate;
  }
  return { text, omitted: 0 };
}

/**
 * Collects blocks while counting against the limits. Room is kept for the closing blocks
 * (`reserve`), so the note about what was left out always fits.
 */
export class BlockBudget {
  readonly #blocks: Block[] = [];
  #chars = 0;
  #omitted = 0;
  readonly #reserveBlocks: number;
  readonly #reserveChars: number;

  constructor(reserve: { blocks: number; chars: number } = { blocks: 1, chars: 400 }) {
    this.#reserveBlocks = reserve.blocks;
    this.#reserveChars = reserve.chars;
  }

  get chars(): number {
    return this.#chars;
  }

  /** Items (groups of blocks) refused so far. */
  get omitted(): number {
    return this.#omitted;
  }

  /** Characters still free for one more group, after the reserve. */
  get room(): number {
    return LIMITS.messageChars - this.#reserveChars - this.#chars;
  }

  /** Adds the group whole, or not at all (a section without its buttons would mislead). */
  add(...group: Block[]): boolean {
    const chars = group.reduce((sum, block) => sum + blockChars(block), 0);
    const fits =
      this.#blocks.length + group.length <= LIMITS.blocks - this.#reserveBlocks && this.#chars + chars <= LIMITS.messageChars - this.#reserveChars;
    if (!fits) {
      this.#omitted++;
      return false;
    }
    this.#blocks.push(...group);
    this.#chars += chars;
    return true;
  }

  /**
   * The blocks, with the closing ones in the room the reserve kept. A closing context longer
   * than that room is cut to fit, so the message stays within the budget whatever it says.
   */
  finish(...closing: Block[]): Block[] {
    const kept = closing.slice(0, LIMITS.blocks - this.#blocks.length);
    let room = LIMITS.messageChars - this.#chars;
    const fitted = kept.map((block) => {
      const fit = blockChars(block) <= room ? block : shrunk(block, room);
      room -= blockChars(fit);
      return fit;
    });
    return [...this.#blocks, ...fitted];
  }
}

/** A context or section cut to `chars` characters of text in all (other blocks come back whole). */
function shrunk(block: Block, chars: number): Block {
  if (block.type === 'context') {
    const share = Math.max(0, Math.floor(chars / Math.max(1, block.elements.length)));
    return {
      ...block,
      elements: block.elements.map((element) => ('text' in element && typeof element.text === 'string' ? { ...element, text: truncate(element.text, share) || '…' } : element)),
    };
  }
  if (block.type === 'section' && block.text) return { ...block, text: { ...block.text, text: truncate(block.text.text, chars) || '…' } };
  return block;
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
