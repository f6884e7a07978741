/**
 * An independent checker of Slack messages (`{ text, blocks }`) against Block Kit's limits and
 * against the bot's own rules (always a top-level `text`, a 10,000-character block-text budget,
 * never a raw mention). It deliberately shares no code with the production renderer: a bug in the
 * renderer's own limit handling must not be able to hide here.
 *
 * Limits: docs.slack.dev Block Kit reference and /work/shared/slack-notes.md.
 */

export interface SlackMessageLike {
  text?: unknown;
  blocks?: unknown;
}

export const SLACK_LIMITS = {
  topLevelText: 40_000,
  blocks: 50,
  textObject: 3000,
  headerText: 150,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  imageUrl: 3000,
  altText: 2000,
  /** Our budget for all text in a message's blocks, below Slack's undocumented msg_blocks_too_long cap. */
  blockTextBudget: 10_000,
} as const;

const BLOCK_TYPES: ReadonlySet<string> = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'rich_text',
  'image',
]);

/** Interactive elements Slack allows in `actions` blocks and as section accessories (besides buttons). */
const INTERACTIVE_ELEMENT_TYPES: ReadonlySet<string> = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'overflow',
  'radio_buttons',
  'timepicker',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'workflow_button',
]);

/** Keys whose string values are never shown to a reader, so cannot ping anybody. */
const NON_DISPLAY_KEYS: ReadonlySet<string> = new Set([
  'type',
  'value',
  'url',
  'image_url',
  'action_id',
  'block_id',
  'style',
  'initial_date',
  'initial_time',
  'range',
  'user_id',
  'channel_id',
  'usergroup_id',
]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - 10);
  const piece = text.slice(start, at + 30);
  return JSON.stringify((start > 0 ? '…' : '') + piece + (at + 30 < text.length ? '…' : ''));
}

/** `<!date^UNIX^format[^link]|fallback>`: the one `<!…>` token the bot may send. No `<` inside. */
const DATE_TOKEN = /^<!date\^\d+\^[^|<>^]+(?:\^[^|<>]+)?\|[^<>]*>/;

/** Raw mentions in a displayed string: any `<!…>` other than a date token, and any `<@…>`. */
function mentionViolations(text: string, path: string): string[] {
  const found: string[] = [];
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const next = text[i + 1];
    if (next === '!') {
      if (!DATE_TOKEN.test(text.slice(i))) {
        found.push(`${path}: raw special mention "<!" at ${excerpt(text, i)} (escape & < > in outside text; only <!date^…> tokens are allowed)`);
      }
    } else if (next === '@') {
      found.push(`${path}: raw user mention "<@" at ${excerpt(text, i)} (the bot never pings)`);
    }
  }
  return found;
}

class Checker {
  readonly violations: string[] = [];
  blockText = 0;
  private readonly actionIds = new Map<string, string>();
  private readonly blockIds = new Map<string, string>();

  add(message: string): void {
    this.violations.push(message);
  }

  maxLength(value: string, limit: number, path: string, what: string): void {
    if (value.length > limit) this.add(`${path}: ${what} is ${value.length} characters; the limit is ${limit}`);
  }

  /** A text object `{ type: 'mrkdwn' | 'plain_text', text }`. */
  textObject(value: unknown, path: string, options: { limit?: number; plainOnly?: boolean } = {}): void {
    const limit = options.limit ?? SLACK_LIMITS.textObject;
    if (!isObject(value)) {
      this.add(`${path}: a text object is required, found ${describe(value)}`);
      return;
    }
    const allowed = options.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
      this.add(`${path}.type: must be ${allowed.join(' or ')}, found ${JSON.stringify(value.type) ?? 'missing'}`);
    }
    if (typeof value.text !== 'string') {
      this.add(`${path}.text: must be a string, found ${describe(value.text)}`);
      return;
    }
    if (value.text.length === 0) this.add(`${path}.text: must not be empty`);
    this.maxLength(value.text, Math.min(limit, SLACK_LIMITS.textObject), `${path}.text`, 'text');
    this.blockText += value.text.length;
  }

  blockId(block: Json, path: string): void {
    if (block.block_id === undefined) return;
    if (typeof block.block_id !== 'string' || block.block_id.length === 0) {
      this.add(`${path}.block_id: must be a non-empty string, found ${describe(block.block_id)}`);
      return;
    }
    this.maxLength(block.block_id, SLACK_LIMITS.blockId, `${path}.block_id`, 'block_id');
    const earlier = this.blockIds.get(block.block_id);
    if (earlier !== undefined) this.add(`${path}.block_id: ${JSON.stringify(block.block_id)} is also used at ${earlier}; block_ids must be unique`);
    else this.blockIds.set(block.block_id, path);
  }

  actionId(element: Json, path: string): void {
    if (element.action_id === undefined) return;
    if (typeof element.action_id !== 'string' || element.action_id.length === 0) {
      this.add(`${path}.action_id: must be a non-empty string, found ${describe(element.action_id)}`);
      return;
    }
    this.maxLength(element.action_id, SLACK_LIMITS.actionId, `${path}.action_id`, 'action_id');
    const earlier = this.actionIds.get(element.action_id);
    if (earlier !== undefined) this.add(`${path}.action_id: ${JSON.stringify(element.action_id)} is also used at ${earlier}; action_ids must be unique`);
    else this.actionIds.set(element.action_id, path);
  }

  button(element: Json, path: string): void {
    this.textObject(element.text, `${path}.text`, { limit: SLACK_LIMITS.buttonText, plainOnly: true });
    if (element.value !== undefined) {
      if (typeof element.value !== 'string') this.add(`${path}.value: must be a string, found ${describe(element.value)}`);
      else this.maxLength(element.value, SLACK_LIMITS.buttonValue, `${path}.value`, 'button value');
    }
    if (element.url !== undefined) {
      if (typeof element.url !== 'string') this.add(`${path}.url: must be a string, found ${describe(element.url)}`);
      else this.maxLength(element.url, SLACK_LIMITS.buttonUrl, `${path}.url`, 'button url');
    }
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      this.add(`${path}.style: must be "primary" or "danger", found ${JSON.stringify(element.style)}`);
    }
  }

  imageElement(element: Json, path: string): void {
    if (element.image_url === undefined && element.slack_file === undefined) {
      this.add(`${path}: an image needs image_url or slack_file`);
    }
    if (typeof element.image_url === 'string') this.maxLength(element.image_url, SLACK_LIMITS.imageUrl, `${path}.image_url`, 'image_url');
    if (typeof element.alt_text !== 'string' || element.alt_text.length === 0) {
      this.add(`${path}.alt_text: a non-empty string is required, found ${describe(element.alt_text)}`);
    } else {
      this.maxLength(element.alt_text, SLACK_LIMITS.altText, `${path}.alt_text`, 'alt_text');
    }
  }

  /** An element of an `actions` block or a section accessory. */
  interactiveElement(element: unknown, path: string, allowImage: boolean): void {
    if (!isObject(element)) {
      this.add(`${path}: an element object is required, found ${describe(element)}`);
      return;
    }
    const type = element.type;
    if (type === 'image' && allowImage) {
      this.imageElement(element, path);
      return;
    }
    if (typeof type !== 'string' || !INTERACTIVE_ELEMENT_TYPES.has(type)) {
      this.add(`${path}.type: unknown element type ${JSON.stringify(type) ?? 'missing'}`);
      return;
    }
    this.actionId(element, path);
    if (type === 'button') this.button(element, path);
  }

  section(block: Json, path: string): void {
    if (block.text === undefined && block.fields === undefined) {
      this.add(`${path}: a section needs text or fields`);
    }
    if (block.text !== undefined) this.textObject(block.text, `${path}.text`);
    if (block.fields !== undefined) {
      if (!Array.isArray(block.fields)) {
        this.add(`${path}.fields: must be an array, found ${describe(block.fields)}`);
      } else {
        if (block.fields.length === 0) this.add(`${path}.fields: must not be empty`);
        if (block.fields.length > SLACK_LIMITS.sectionFields) {
          this.add(`${path}.fields: ${block.fields.length} fields; the limit is ${SLACK_LIMITS.sectionFields}`);
        }
        block.fields.forEach((field, i) => this.textObject(field, `${path}.fields[${i}]`, { limit: SLACK_LIMITS.sectionFieldText }));
      }
    }
    if (block.accessory !== undefined) this.interactiveElement(block.accessory, `${path}.accessory`, true);
  }

  header(block: Json, path: string): void {
    this.textObject(block.text, `${path}.text`, { limit: SLACK_LIMITS.headerText, plainOnly: true });
  }

  context(block: Json, path: string): void {
    if (!Array.isArray(block.elements)) {
      this.add(`${path}.elements: must be an array, found ${describe(block.elements)}`);
      return;
    }
    if (block.elements.length === 0) this.add(`${path}.elements: must not be empty`);
    if (block.elements.length > SLACK_LIMITS.contextElements) {
      this.add(`${path}.elements: ${block.elements.length} elements; the limit is ${SLACK_LIMITS.contextElements}`);
    }
    block.elements.forEach((element, i) => {
      const at = `${path}.elements[${i}]`;
      if (isObject(element) && element.type === 'image') this.imageElement(element, at);
      else this.textObject(element, at);
    });
  }

  actions(block: Json, path: string): void {
    if (!Array.isArray(block.elements)) {
      this.add(`${path}.elements: must be an array, found ${describe(block.elements)}`);
      return;
    }
    if (block.elements.length === 0) this.add(`${path}.elements: must not be empty`);
    if (block.elements.length > SLACK_LIMITS.actionsElements) {
      this.add(`${path}.elements: ${block.elements.length} elements; the limit is ${SLACK_LIMITS.actionsElements}`);
    }
    block.elements.forEach((element, i) => this.interactiveElement(element, `${path}.elements[${i}]`, false));
  }

  image(block: Json, path: string): void {
    this.imageElement(block, path);
    if (block.title !== undefined) this.textObject(block.title, `${path}.title`, { limit: SLACK_LIMITS.altText, plainOnly: true });
  }

  /** rich_text: count the characters of every `text` string in its element tree. */
  richText(block: Json, path: string): void {
    if (!Array.isArray(block.elements)) {
      this.add(`${path}.elements: must be an array, found ${describe(block.elements)}`);
      return;
    }
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => walk(child, `${at}[${i}]`));
        return;
      }
      if (!isObject(node)) return;
      if (node.type === 'broadcast') this.add(`${at}: a rich_text broadcast element pings ${JSON.stringify(node.range)} (the bot never pings)`);
      if (node.type === 'user' || node.type === 'usergroup') this.add(`${at}: a rich_text ${node.type} element is a mention (the bot never pings)`);
      if (typeof node.text === 'string') this.blockText += node.text.length;
      if (node.elements !== undefined) walk(node.elements, `${at}.elements`);
    };
    walk(block.elements, `${path}.elements`);
  }

  block(block: unknown, path: string): void {
    if (!isObject(block)) {
      this.add(`${path}: a block object is required, found ${describe(block)}`);
      return;
    }
    const type = block.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.add(`${path}.type: unknown block type ${JSON.stringify(type) ?? 'missing'} (known: ${[...BLOCK_TYPES].join(', ')})`);
      return;
    }
    const at = `${path} (${type})`;
    this.blockId(block, at);
    switch (type) {
      case 'section':
        this.section(block, at);
        break;
      case 'header':
        this.header(block, at);
        break;
      case 'context':
        this.context(block, at);
        break;
      case 'actions':
        this.actions(block, at);
        break;
      case 'image':
        this.image(block, at);
        break;
      case 'rich_text':
        this.richText(block, at);
        break;
      default:
        break; // divider
    }
  }

  /** Raw mentions in every displayed string anywhere in the blocks. */
  mentions(node: unknown, path: string): void {
    if (typeof node === 'string') {
      for (const found of mentionViolations(node, path)) this.add(found);
    } else if (Array.isArray(node)) {
      node.forEach((child, i) => this.mentions(child, `${path}[${i}]`));
    } else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (!NON_DISPLAY_KEYS.has(key)) this.mentions(value, `${path}.${key}`);
      }
    }
  }
}

/** Every way `message` breaks Slack's limits or the bot's rules, as sentences; empty when it is fine. */
export function slackLimitViolations(message: SlackMessageLike): string[] {
  const check = new Checker();
  const { text, blocks } = message;

  if (text === undefined || text === null) {
    check.add('text: a top-level text is required (it is the notification and screen-reader fallback)');
  } else if (typeof text !== 'string') {
    check.add(`text: must be a string, found ${describe(text)}`);
  } else {
    if (text.trim().length === 0) check.add('text: must not be empty');
    check.maxLength(text, SLACK_LIMITS.topLevelText, 'text', 'top-level text');
    for (const found of mentionViolations(text, 'text')) check.add(found);
  }

  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) {
      check.add(`blocks: must be an array, found ${describe(blocks)}`);
    } else {
      if (blocks.length > SLACK_LIMITS.blocks) check.add(`blocks: ${blocks.length} blocks; the limit is ${SLACK_LIMITS.blocks}`);
      blocks.forEach((block, i) => check.block(block, `blocks[${i}]`));
      check.mentions(blocks, 'blocks');
      if (check.blockText > SLACK_LIMITS.blockTextBudget) {
        check.add(`blocks: ${check.blockText} characters of text in all; the budget is ${SLACK_LIMITS.blockTextBudget} (Slack answers msg_blocks_too_long at roughly 11–13k)`);
      }
    }
  }
  return check.violations;
}

export class SlackLimitsError extends Error {
  readonly violations: readonly string[];
  constructor(violations: readonly string[]) {
    super(`The message breaks Slack's limits or the bot's rules:\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    this.name = 'SlackLimitsError';
    this.violations = violations;
  }
}

/** Throws a SlackLimitsError listing every violation; returns quietly when the message is fine. */
export function expectWithinSlackLimits(message: SlackMessageLike): void {
  const violations = slackLimitViolations(message);
  if (violations.length > 0) throw new SlackLimitsError(violations);
}
