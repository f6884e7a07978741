/**
 * The command line. Each command lives in src/commands/ and returns an exit status; this file
 * only wires arguments to them. Commands are imported when they run: imported up front, every
 * command (even --help) loaded Bolt, express, redis, prom-client and node-cron, 1,755 modules
 * and 0.56 s before printing a line.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, processIo, type CommandIo } from './commands/io.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let status: number = EXIT.ok;
  const program = new Command()
    .name('restorepoints')
    .description('What can we restore from? Veeam Backup for Microsoft Azure restore points, in Slack and in the terminal.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run restorepoints --help for usage)');

  program
    .command('demo')
    .description('start the embedded demo appliance, read it like a real one and print what the bot would say')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { json?: boolean }) => {
      status = await (await import('./commands/demo.ts')).demoCommand({ json: flags.json === true }, io);
    });

  program
    .command('summary')
    .description('read the configured appliances and print the summary')
    .option('--json', 'print one JSON document (its schema: docs/contract.md, "summary --json")')
    .option('--demo', 'read the embedded demo appliance instead of the configured ones')
    .action(async (flags: { json?: boolean; demo?: boolean }) => {
      status = await (await import('./commands/summary.ts')).summaryCommand({ json: flags.json === true, demo: flags.demo === true }, io);
    });

  program
    .command('query')
    .description('answer WORDS as /restorepoints WORDS would (try: query help)')
    .argument('[words...]', 'the query: NAME, stale, before TIME, in DESTINATION, on APPLIANCE')
    .option('--json', 'print the Slack message {text, blocks}')
    .option('--demo', 'read the embedded demo appliance instead of the configured ones')
    .action(async (words: string[], flags: { json?: boolean; demo?: boolean }) => {
      status = await (await import('./commands/query.ts')).queryCommand(words, { json: flags.json === true, demo: flags.demo === true }, io);
    });

  program
    .command('digest')
    .description('build the digest; print it, or post it to DIGEST_CHANNELS now (--post)')
    .option('--json', 'print the Slack message {text, blocks}')
    .option('--post', 'post it now; exit non-zero when a channel failed or an appliance could not be read')
    .option('--demo', 'read the embedded demo appliance instead of the configured ones')
    .action(async (flags: { json?: boolean; post?: boolean; demo?: boolean }) => {
      status = await (await import('./commands/digest.ts')).digestCommand({ json: flags.json === true, post: flags.post === true, demo: flags.demo === true }, io);
    });

  program
    .command('serve')
    .description('run the Slack app and the digest schedule (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)')
    .option('--demo', 'answer from the embedded demo appliance: try the bot in a workspace before connecting an appliance')
    .action(async (flags: { demo?: boolean }) => {
      status = await (await import('./commands/serve.ts')).serveCommand({ demo: flags.demo === true }, io);
    });

  program
    .command('alerts')
    .description('print the open alert problems, acknowledgements and snoozes from the alert state (STATE_FILE, or Redis with REDIS_URL)')
    .option('--json', 'print one JSON document')
    .action(async (flags: { json?: boolean }) => {
      // Loaded when it runs: other commands never open SQLite or Redis for it.
      const { alertsCommand } = await import('./commands/alerts.ts');
      status = await alertsCommand({ json: flags.json === true }, io);
    });

  program
    .command('check')
    .description('check the configuration, the appliances, Slack and the digest channels; say what is wrong and how to fix it')
    .action(async () => {
      status = await (await import('./commands/check.ts')).checkCommand(io);
    });

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.config;
    throw error;
  }
  return status;
}
