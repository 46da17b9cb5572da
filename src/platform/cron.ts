import { PlatformError } from './errors'

// Cron expressions: the standard 5 fields (minute hour day-of-month month day-of-week), always in UTC.
// Written here rather than taken from a library: croner adds about 9.5 KB gzip to the dispatch
// Worker and cron-schedule about 2.6 KB, against a 50 KB budget; this file is well under 1.5 KB.

/** One parsed expression: which values of each field match. */
export interface CronSchedule {
  /** The expression as stored: trimmed, single spaces. */
  expression: string
  minutes: boolean[]
  hours: boolean[]
  /** Indexed 1–31. */
  days: boolean[]
  /** Indexed 1–12. */
  months: boolean[]
  /** Indexed 0–6, 0 = Sunday. */
  weekdays: boolean[]
  /**
   * Vixie cron: when both day fields are restricted (neither starts with "*"), a day matches if
   * either does; otherwise both must.
   */
  eitherDay: boolean
}

/** The longest expression accepted (a list of every minute is about 170 characters). */
export const MAX_CRON_LENGTH = 200

const MINUTE_MS = 60_000
const DAY_MINUTES = 24 * 60
/** Every calendar pattern repeats within 28 years (leap days included), so a search stops there. */
const SEARCH_DAYS = 28 * 366

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

interface Field {
  name: string
  min: number
  max: number
  /** Names for values, from `min` on (JAN = 1, SUN = 0). */
  names?: string[]
  hint: string
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59, hint: '0–59' },
  { name: 'hour', min: 0, max: 23, hint: '0–23' },
  { name: 'day-of-month', min: 1, max: 31, hint: '1–31' },
  { name: 'month', min: 1, max: 12, names: MONTHS, hint: '1–12 or JAN–DEC' },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day-of-week', min: 0, max: 7, names: WEEKDAYS, hint: '0–7 or SUN–SAT' },
]

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

/** Parses an expression; a mistake is a 400 (`invalid_settings`) naming the expression and what is wrong. */
export function parseCron(text: string): CronSchedule {
  const expression = text.trim().split(/\s+/).join(' ')
  const fail = (problem: string) => new PlatformError('invalid_settings', `Cron "${expression}": ${problem}`)
  if (expression === '') throw new PlatformError('invalid_settings', 'A cron expression is empty.')
  if (expression.length > MAX_CRON_LENGTH) throw fail(`longer than ${MAX_CRON_LENGTH} characters.`)
  const macro = expression.startsWith('@') ? MACROS[expression.toLowerCase()] : undefined
  if (expression.startsWith('@') && !macro) {
    throw fail(`unknown shortcut; use one of ${Object.keys(MACROS).join(', ')} or 5 fields.`)
  }
  const parts = (macro ?? expression).split(' ')
  if (parts.length !== 5) {
    throw fail(
      `has ${parts.length} field${parts.length === 1 ? '' : 's'}; a cron expression has 5: minute hour ` +
        `day-of-month month day-of-week, e.g. "*/5 * * * *"${parts.length === 6 ? ' (seconds are not supported)' : ''}.`,
    )
  }
  const [minutes, hours, days, months, weekdays] = parts.map((part, index) => parseField(part, FIELDS[index]!, fail))
  // Day-of-week 7 is Sunday.
  if (weekdays![7]) weekdays![0] = true
  const schedule: CronSchedule = {
    expression: macro ? expression.toLowerCase() : expression,
    minutes: minutes!,
    hours: hours!,
    days: days!,
    months: months!,
    weekdays: weekdays!.slice(0, 7),
    eitherDay: !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*'),
  }
  if (nextRun(schedule, Date.UTC(2001, 0, 1)) === null) {
    throw fail('never runs: no date matches its day-of-month, month and day-of-week (e.g. February 30).')
  }
  return schedule
}

function parseField(text: string, field: Field, fail: (problem: string) => PlatformError): boolean[] {
  const matches: boolean[] = new Array<boolean>(field.max + 1).fill(false)
  const where = `in the ${field.name} field`
  for (const item of text.split(',')) {
    if (/[LW#?]/i.test(item) && !field.names?.some((name) => item.toUpperCase().includes(name))) {
      throw fail(`"${item}" ${where} uses L, W, # or ?, which are not supported.`)
    }
    const [range = '', step, extra] = item.split('/')
    if (extra !== undefined || range === '') throw fail(`"${item}" ${where} is not a value, a range or a step.`)
    let every = 1
    if (step !== undefined) {
      every = /^\d+$/.test(step) ? Number(step) : 0
      if (every < 1 || every > field.max) {
        throw fail(`the step "/${step}" ${where} must be a whole number from 1 to ${field.max}.`)
      }
    }
    let from = field.min
    let to = field.max
    if (range !== '*') {
      const [first = '', last, more] = range.split('-')
      if (more !== undefined) throw fail(`"${range}" ${where} is not a range like 1-5.`)
      from = value(first, field, where, fail)
      // "5/15" means from 5 to the end, every 15.
      to = last !== undefined ? value(last, field, where, fail) : step !== undefined ? field.max : from
      if (to < from) throw fail(`the range ${range} ${where} runs backwards.`)
    }
    for (let at = from; at <= to; at += every) matches[at] = true
  }
  return matches
}

function value(token: string, field: Field, where: string, fail: (problem: string) => PlatformError): number {
  const named = field.names?.indexOf(token.toUpperCase()) ?? -1
  if (named >= 0) return named + (field.name === 'month' ? 1 : 0)
  if (!/^\d+$/.test(token)) throw fail(`"${token}" ${where} is not a number (${field.hint}).`)
  const number = Number(token)
  if (number < field.min || number > field.max) throw fail(`${number} ${where} is outside ${field.hint}.`)
  return number
}

/**
 * The first time after `afterMs` (strictly, at a whole minute, UTC) the schedule matches, or null
 * if it never does. Skips whole months, days and hours that cannot match, so a rare schedule costs
 * a few hundred steps, not one per minute.
 */
export function nextRun(schedule: CronSchedule, afterMs: number): number | null {
  let at = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS
  const limit = at + SEARCH_DAYS * DAY_MINUTES * MINUTE_MS
  while (at < limit) {
    const date = new Date(at)
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()]
    if (!schedule.months[month + 1]) {
      at = Date.UTC(year, month + 1, 1)
      continue
    }
    if (!dayMatches(schedule, day, date.getUTCDay())) {
      at = Date.UTC(year, month, day + 1)
      continue
    }
    const hour = firstFrom(schedule.hours, date.getUTCHours())
    if (hour === undefined) {
      at = Date.UTC(year, month, day + 1)
      continue
    }
    const minute = firstFrom(schedule.minutes, hour === date.getUTCHours() ? date.getUTCMinutes() : 0)
    if (minute === undefined) {
      at = Date.UTC(year, month, day, hour + 1)
      continue
    }
    return Date.UTC(year, month, day, hour, minute)
  }
  return null
}

function dayMatches(schedule: CronSchedule, day: number, weekday: number): boolean {
  const byDate = schedule.days[day] === true
  const byWeekday = schedule.weekdays[weekday] === true
  return schedule.eitherDay ? byDate || byWeekday : byDate && byWeekday
}

function firstFrom(matches: boolean[], start: number): number | undefined {
  for (let index = start; index < matches.length; index++) if (matches[index]) return index
  return undefined
}

/**
 * The shortest gap between two runs, in minutes, judged on the times of day (midnight wrap
 * included): a lower bound, as if the schedule ran every day.
 */
export function minIntervalMinutes(schedule: CronSchedule): number {
  const times: number[] = []
  schedule.hours.forEach((hour, h) => {
    if (hour) schedule.minutes.forEach((minute, m) => minute && times.push(h * 60 + m))
  })
  let shortest = DAY_MINUTES - times[times.length - 1]! + times[0]!
  for (let index = 1; index < times.length; index++) shortest = Math.min(shortest, times[index]! - times[index - 1]!)
  return shortest
}

/** The next time any of the expressions runs after `afterMs`, and which of them run then. */
export function nextDue(expressions: readonly string[], afterMs: number): { at: number; crons: string[] } | null {
  let due: { at: number; crons: string[] } | null = null
  for (const expression of expressions) {
    const at = nextRun(parseCron(expression), afterMs)
    if (at === null || (due && at > due.at)) continue
    if (due && at === due.at) due.crons.push(expression)
    else due = { at, crons: [expression] }
  }
  return due
}
