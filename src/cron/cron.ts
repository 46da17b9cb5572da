import { PlatformError } from '../core/errors'

// Cron expressions: the standard 5 fields (minute hour day-of-month month day-of-week), always in UTC.
// Written here rather than taken from a library, measured (docs/testing.md): the parsing stays in any
// case, because it names the field and value that is wrong and keeps the dialect (Vixie's day rule,
// day-of-week 0–7, no seconds, L, W, # or ?), so a library could only replace nextRun. croner, the one
// that then gives the same times (4,000 random expressions), adds 10,457 B to the dispatch Worker's
// gzip size; cron-schedule, cronosjs and cron-parser cannot express Vixie's "*/2 * 5" (odd days that
// are Fridays), and cronosjs never returns for February 30.

/** One parsed expression: which values of each field match (days 1–31, months 1–12, weekdays 0–6). */
export interface CronSchedule {
  /** The expression as stored: trimmed, single spaces. */
  expression: string
  fields: boolean[][]
  /**
   * Vixie cron: when both day fields are restricted (neither starts with "*"), a day matches if
   * either does; otherwise both must.
   */
  eitherDay: boolean
}

const MINUTE_MS = 60_000
const DAY_MINUTES = 1440
/** Every calendar pattern repeats within 28 years (leap days included), so a search stops there. */
const SEARCH_MS = 28 * 366 * DAY_MINUTES * MINUTE_MS

// Name, range, names for values from the start of the range (JAN = 1, SUN = 0; day-of-week 7 is Sunday too).
const FIELDS: [string, number, number, string?][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day-of-month', 1, 31],
  ['month', 1, 12, 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'],
  ['day-of-week', 0, 7, 'SUN MON TUE WED THU FRI SAT'],
]

/** Parses an expression; a mistake is a 400 (`invalid_settings`) naming the expression and what is wrong. */
export function parseCron(text: string): CronSchedule {
  const expression = text.trim().split(/\s+/).join(' ')
  const fail = (problem: string) => new PlatformError('invalid_settings', `Cron "${expression}": ${problem}`)
  const parts = expression.split(' ')
  if (parts.length !== 5) {
    throw fail(
      `has ${expression ? parts.length : 0} fields; cron has 5: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *".`,
    )
  }
  const fields = parts.map((part, index) => {
    const [name, min, max, names] = FIELDS[index]!
    const matches: boolean[] = []
    for (const item of part.split(',')) {
      const [, range, from = '', to, step] = /^(\*|(\w+)(?:-(\w+))?)(?:\/(\d+))?$/.exec(item) ?? []
      const value = (token: string) => {
        const named = names?.split(' ').indexOf(token.toUpperCase()) ?? -1
        const number = named >= 0 ? named + min : /^\d+$/.test(token) ? Number(token) : NaN
        if (!(number >= min && number <= max)) throw fail(`"${token}" in the ${name} field is not ${min}–${max}.`)
        return number
      }
      if (!range) throw fail(`"${item}" in the ${name} field is not a value, range (1-5), list or step (*/5).`)
      const first = range === '*' ? min : value(from)
      const last = range === '*' || (to === undefined && step) ? max : to === undefined ? first : value(to)
      const every = Number(step ?? 1)
      if (last < first || every < 1) throw fail(`"${item}" in the ${name} field runs backwards or has a step of 0.`)
      for (let at = first; at <= last; at += every) matches[at] = true
    }
    return matches
  })
  if (fields[4]![7]) fields[4]![0] = true
  const schedule = { expression, fields, eitherDay: parts[2]![0] !== '*' && parts[4]![0] !== '*' }
  if (nextRun(schedule, 0) === null) throw fail('never runs: no date has that day and month (e.g. February 30).')
  return schedule
}

/**
 * The first time after `afterMs` (strictly, at a whole minute, UTC) the schedule matches, or null
 * if it never does. Skips whole months, days and hours that cannot match, so a rare schedule costs
 * a few hundred steps, not one per minute.
 */
export function nextRun({ fields, eitherDay }: CronSchedule, afterMs: number): number | null {
  const [minutes, hours, days, months, weekdays] = fields as [boolean[], boolean[], boolean[], boolean[], boolean[]]
  let at = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS
  const limit = at + SEARCH_MS
  while (at < limit) {
    const date = new Date(at)
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()]
    const byDate = days[day] === true
    const byWeekday = weekdays[date.getUTCDay()] === true
    const hour = firstFrom(hours, date.getUTCHours())
    const minute = firstFrom(minutes, hour === date.getUTCHours() ? date.getUTCMinutes() : 0)
    if (!months[month + 1]) at = Date.UTC(year, month + 1, 1)
    else if (eitherDay ? !byDate && !byWeekday : !byDate || !byWeekday) at = Date.UTC(year, month, day + 1)
    else if (hour === undefined) at = Date.UTC(year, month, day + 1)
    else if (minute === undefined) at = Date.UTC(year, month, day, hour + 1)
    else return Date.UTC(year, month, day, hour, minute)
  }
  return null
}

function firstFrom(matches: boolean[], start: number): number | undefined {
  for (let index = start; index < matches.length; index++) if (matches[index]) return index
  return undefined
}

/**
 * The shortest gap between two runs, in minutes, judged on the times of day (midnight wrap
 * included): a lower bound, as if the schedule ran every day.
 */
export function minIntervalMinutes({ fields: [minutes, hours] }: CronSchedule): number {
  const times: number[] = []
  hours!.forEach((hour, h) => hour && minutes!.forEach((minute, m) => minute && times.push(h * 60 + m)))
  return Math.min(DAY_MINUTES - times.at(-1)! + times[0]!, ...times.slice(1).map((time, index) => time - times[index]!))
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
