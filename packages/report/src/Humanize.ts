/**
 * Numbers for people, as the HTML report and the terminal charts print them: sizes in binary
 * units (KiB, MiB, GiB), counts grouped or in millions, signed deltas with a real minus sign.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/humanize.js"

/**
 * A size in binary units, one decimal: `512 B`, `1.2 MiB`, `22.1 GiB`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const bytes: (value: number) => string = internal.bytes

/**
 * A count: grouped below a million (`465,473`), worded above (`13.9 million`, `2.1 billion`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const count: (value: number) => string = internal.count

/**
 * An exact integer, grouped: `13,852,176`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const integer: (value: number) => string = internal.integer

/**
 * A formatter that prints the sign: `+1.2 MiB`, `−3.0 KiB` (U+2212), `±0 B`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const signed: (format: (value: number) => string) => (value: number) => string = internal.signed

/**
 * A ratio as a signed percentage: `0.125` is `+12.5%`, `-2` is `−200%`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const percent: (ratio: number) => string = internal.percent

/**
 * A duration: `42s`, `3m 05s`, `2h 10m`, `7d 00h`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const duration: (millis: number) => string = internal.duration
