// ISO-8601 date-time, optional fraction, optional zone. `Date.parse` alone would read a zone-less
// time as local time and accept many non-ISO shapes; the service writes UTC.
const isoDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** @internal */
export const parseMillis = (input: string): number | undefined => {
  const match = isoDateTime.exec(input)
  if (match === null) return undefined
  const text = input.charCodeAt(10) === 32 ? input.slice(0, 10) + "T" + input.slice(11) : input
  const millis = Date.parse(match[1] === undefined ? text + "Z" : text)
  return Number.isNaN(millis) ? undefined : millis
}
