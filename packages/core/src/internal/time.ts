import * as DateTime from "effect/DateTime"

// ISO-8601 date-time, optional fraction, optional zone. `Date.parse` alone would read a zone-less
// time as local time and accept many non-ISO shapes; the service writes UTC.
const isoDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** @internal */
export const parseMillis = (input: string): number | undefined => canonicalMillis(input) ?? parseIso(input)

const parseIso = (input: string): number | undefined => {
  const match = isoDateTime.exec(input)
  if (match === null) return undefined
  const text = input.charCodeAt(10) === 32 ? input.slice(0, 10) + "T" + input.slice(11) : input
  const millis = Date.parse(match[1] === undefined ? text + "Z" : text)
  return Number.isNaN(millis) || !isCalendarDate(input) ? undefined : millis
}

// Date.parse rolls impossible dates over (2024-02-30 reads as 2024-03-01): refuse them.
const isCalendarDate = (input: string): boolean => {
  const year = Number(input.slice(0, 4))
  const month = Number(input.slice(5, 7))
  const day = Number(input.slice(8, 10))
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

// The service writes every time as `2024-10-15T02:21:18.669Z`. Reading that shape digit by digit,
// checking the day against the month's length and counting the days since 1970 takes a fraction
// of the time of the regex and `Date.parse` below, which still decide every other shape.
// test/time.test.ts checks that both agree.

const canonicalMillis = (s: string): number | undefined => {
  if (
    s.length !== 24 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(10) !== T ||
    s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON || s.charCodeAt(19) !== DOT || s.charCodeAt(23) !== Z
  ) return undefined
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  const millis = digits(s, 20, 3)
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0
  ) return undefined
  return daysSinceEpoch(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years from 0), counted in
// 400-year eras of 146,097 days from 0000-03-01 (H. Hinnant's days_from_civil).
const daysSinceEpoch = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

const DASH = 0x2d
const COLON = 0x3a
const DOT = 0x2e
const T = 0x54
const Z = 0x5a

// The number written by `length` ASCII digits from `at`; -1 when one of them is not a digit.
const digits = (s: string, at: number, length: number): number => {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const digit = s.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

// `DateTime.unsafeMake(millis)` checks what it was given (a DateTime? a Date? an object? a
// string?), builds a `Date` to read the time back from it, then builds the value with
// `Object.defineProperty` for the calendar parts it caches (non-enumerable, so that they stay out
// of sight): 200-300 ns, three times a record. The decoders already hold a valid epoch: this
// builds the value with one assignment (about 20 ns) on a prototype that inherits Effect's own
// Utc prototype (every behaviour: the type id, equality, hashing, formatting, inspection) and
// holds the parts' cache as an accessor, which defines the same non-enumerable property as
// Effect's only when Effect first computes the parts.
// test/time.test.ts checks that it equals, hashes, formats and describes itself as unsafeMake's.
const utcPrototype: object = Object.create(Object.getPrototypeOf(DateTime.unsafeMake(0)), {
  partsUtc: {
    get: () => undefined,
    set(this: object, value: unknown) {
      Object.defineProperty(this, "partsUtc", { value, enumerable: false, writable: true, configurable: false })
    },
    enumerable: false,
    configurable: true
  }
})

function Utc(this: { epochMillis: number }, epochMillis: number) {
  this.epochMillis = epochMillis
}
Utc.prototype = utcPrototype

/** The `DateTime.Utc` of a valid epoch (from `parseMillis`: finite, within `Date`'s range). @internal */
export const utcFromMillis = (epochMillis: number): DateTime.Utc =>
  new (Utc as unknown as new(epochMillis: number) => DateTime.Utc)(epochMillis)
