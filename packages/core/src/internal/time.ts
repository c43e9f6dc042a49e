// ISO-8601 date-time, optional fraction, optional zone. `Date.parse` alone would read a zone-less
// time as local time and accept many non-ISO shapes; the service writes UTC.
const isoDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** @internal */
export const parseMillis = (input: string): number | undefined => {
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
