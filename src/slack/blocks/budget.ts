/**
 * Slack's Block Kit limits, enforced. Renderers add blocks through a budget that
 * refuses what would not fit; long lists are cut with "and N more". A message built here is
 * always postable: exceeding a limit would make Slack refuse it (`invalid_blocks`), and a digest
 * that is not posted is the worst failure the bot can have.
 */
import { LIMITS, truncate } from './limits.ts';
import type { Block } from './message.ts';

export const NARROW_HINT = 'narrow it with `/restorepoints NAME`';


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
