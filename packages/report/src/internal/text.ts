/**
 * Text for terminals: how many columns a string takes, cutting it to fit, and making an untrusted
 * key printable (a key may hold escape sequences that would drive the terminal).
 *
 * @since 0.1.0
 */

const isZeroWidth = (code: number): boolean =>
  (code >= 0x0300 && code <= 0x036f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)

// East Asian wide and fullwidth characters and emoji take two columns.
const isWide = (code: number): boolean =>
  (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) ||
  (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
  (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1f64f) ||
  (code >= 0x1f900 && code <= 0x1f9ff) || (code >= 0x20000 && code <= 0x3fffd)

const columnsOf = (char: string): number => {
  const code = char.codePointAt(0)!
  return isZeroWidth(code) ? 0 : isWide(code) ? 2 : 1
}

/** @internal */
export const columns = (text: string): number => {
  let total = 0
  for (const char of text) total += columnsOf(char)
  return total
}

/** At most `width` columns; a cut string ends with `…`. @internal */
export const truncate = (text: string, width: number): string => {
  if (columns(text) <= width) return text
  if (width <= 0) return ""
  let result = ""
  let used = 0
  for (const char of text) {
    const next = columnsOf(char)
    if (used + next > width - 1) break
    result += char
    used += next
  }
  return `${result}…`
}

/** @internal */
export const padEnd = (text: string, width: number): string => text + " ".repeat(Math.max(0, width - columns(text)))

/** @internal */
export const padStart = (text: string, width: number): string => " ".repeat(Math.max(0, width - columns(text))) + text

/** Exactly `width` columns: cut, then padded. @internal */
export const fit = (text: string, width: number): string => padEnd(truncate(text, width), width)

/** Control characters (C0, DEL, C1) shown as `\xNN`, so that a key cannot drive the terminal. @internal */
export const printable = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`)
