/**
 * The digest schedule's settings (`DIGEST_CRON`, `DIGEST_TIMEZONE`) checked up front, with
 * sentences that name the variable, the bad value and the fix. Kept in configuration so that
 * loading the configuration never needs the scheduler.
 */
import { validateDetailed, type CronFieldError } from 'node-cron';
import { isTimeZone, zoneSuggestions } from '../lib/zones.ts';

const FIELD_HELP: Record<string, { readonly label: string; readonly allowed: string }> = {
  second: { label: 'second', allowed: '0-59' },
  minute: { label: 'minute', allowed: '0-59' },
  hour: { label: 'hour', allowed: '0-23' },
  dayOfMonth: { label: 'day-of-month', allowed: '1-31, L, L-n, nW or LW' },
  month: { label: 'month', allowed: '1-12 or jan-dec' },
  dayOfWeek: { label: 'day-of-week', allowed: '0-7 (0 and 7 are Sunday) or sun-sat' },
};

const CRON_EXAMPLE = 'e.g. DIGEST_CRON="0 8 * * *" for 08:00 every day, or "30 7 * * 1-5" for 07:30 on weekdays';

function cronProblem(cron: string, error: CronFieldError): string {
  const help = FIELD_HELP[error.field];
  if (help === undefined) {
    // The expression as a whole: wrong number of fields, illegal characters, not a string.
    const why = cron.trim() === '' ? 'it is empty' : error.message;
    return (
      `DIGEST_CRON ${JSON.stringify(cron)} is not a valid cron expression: ${why}. ` +
      `Use five fields "minute hour day-of-month month day-of-week" (optionally a seconds field first), ${CRON_EXAMPLE}.`
    );
  }
  if (error.message.includes('impossible day of month')) {
    return (
      `DIGEST_CRON ${JSON.stringify(cron)} never fires: ${error.message}. ` +
      `Pick a day-of-month that exists in the chosen month(s), ${CRON_EXAMPLE}.`
    );
  }
  return (
    `DIGEST_CRON ${JSON.stringify(cron)} has an invalid ${help.label} field ${JSON.stringify(error.value ?? '')}: ` +
    `the ${help.label} field takes ${help.allowed}, with ranges (a-b), steps (*/n) and lists (a,b); ${CRON_EXAMPLE}.`
  );
}

function zoneProblem(timeZone: string): string | null {
  const shown = JSON.stringify(timeZone);
  const example = 'such as "Europe/Berlin", "America/New_York" or "UTC"';
  const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(timeZone.trim());
  if (offset !== null) {
    // Intl accepts fixed offsets, but the variable is documented as an IANA zone name.
    const hours = Number(offset[2]);
    const whole = (offset[3] ?? '00') === '00';
    const etc = whole && hours <= 14 ? ` (a fixed offset is "Etc/GMT${offset[1] === '+' ? '-' : '+'}${hours}", sign inverted)` : '';
    return (
      `DIGEST_TIMEZONE ${shown} is an offset, not an IANA time zone name: ` +
      `set the zone the readers live in, ${example}, so the digest follows daylight-saving changes${etc}.`
    );
  }
  if (isTimeZone(timeZone)) return null;
  const suggestions = zoneSuggestions(timeZone);
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.slice(0, 3).map((zone) => JSON.stringify(zone)).join(' or ')}?` : '';
  return `DIGEST_TIMEZONE ${shown} is not a time zone this system knows: use an IANA time zone name ${example}.` + hint;
}

/**
 * What is wrong with a schedule, as sentences naming the variable, the bad value and the fix;
 * [] when both are fine.
 */
export function scheduleProblems(cron: string, timeZone: string): string[] {
  const problems: string[] = [];
  let errors: CronFieldError[];
  try {
    errors = validateDetailed(cron).errors;
  } catch (error) {
    errors = [{ field: 'expression', value: cron, message: error instanceof Error ? error.message : String(error) }];
  }
  for (const error of errors) problems.push(cronProblem(cron, error));
  const zone = zoneProblem(timeZone);
  if (zone !== null) problems.push(zone);
  return problems;
}

