/**
 * Numbers for people: binary sizes, grouped and worded counts, signed deltas, durations.
 *
 * @since 0.1.0
 */

const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const

/** The minus sign of typography (U+2212): wider than a hyphen, so a sign is never missed. */
export const minus = "\u2212"

/** @internal */
export const bytes = (value: number): string => {
  const magnitude = Math.abs(value)
  if (magnitude < 1024) return `${value < 0 ? minus : ""}${Math.round(magnitude)} B`
  let unit = 0
  let scaled = magnitude
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024
    unit++
  }
  // 1023.96 KiB would print as "1024.0 KiB": carry it to the next unit.
  if (Number(scaled.toFixed(1)) >= 1024 && unit < units.length - 1) {
    scaled /= 1024
    unit++
  }
  return `${value < 0 ? minus : ""}${scaled.toFixed(1)} ${units[unit]}`
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })

/** @internal */
export const integer = (value: number): string => {
  const text = grouped.format(Math.abs(value))
  return value < 0 ? `${minus}${text}` : text
}

/** @internal */
export const count = (value: number): string => {
  const magnitude = Math.abs(value)
  const sign = value < 0 ? minus : ""
  if (magnitude >= 1e9) return `${sign}${(magnitude / 1e9).toFixed(1)} billion`
  if (magnitude >= 1e6) return `${sign}${(magnitude / 1e6).toFixed(1)} million`
  return integer(value)
}

/** @internal */
export const signed = (format: (value: number) => string) => (value: number): string =>
  value > 0 ? `+${format(value)}` : value === 0 ? `±${format(0)}` : format(value)

/** @internal */
export const percent = (ratio: number): string => {
  const value = ratio * 100
  const digits = Math.abs(value) < 10 ? 1 : 0
  const text = Math.abs(value).toFixed(digits)
  return value > 0 ? `+${text}%` : value < 0 ? `${minus}${text}%` : "±0%"
}

/** @internal */
export const duration = (millis: number): string => {
  const seconds = Math.round(millis / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`
  const hours = Math.floor(minutes / 60)
  if (hours >= 48) return `${Math.floor(hours / 24)}d ${String(hours % 24).padStart(2, "0")}h`
  return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`
}
