/**
 * The terminal around the tool: whether stderr is a terminal (progress is drawn only then), a
 * one-line status on stderr, and a `Console` that drops ANSI colours from what goes to a pipe
 * or a file (`@effect/cli` colours its help and its messages unconditionally).
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Whether stderr is a terminal, the only place progress is drawn. */
export const stderrIsTerminal = (): boolean => process.stderr.isTTY === true

const ansi = /\u001b\[[0-9;]*[A-Za-z]/g

/** The text without ANSI escape sequences. */
export const stripAnsi = (text: string): string => text.replace(ansi, "")

const plainArgs = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((arg) => typeof arg === "string" ? stripAnsi(arg) : arg)

const colourless = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY !== true || process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ""

/**
 * The console, without colours on a stream that is not a terminal (or with `NO_COLOR` set).
 */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => {
    const plainOut = colourless(process.stdout)
    const plainErr = colourless(process.stderr)
    if (!plainOut && !plainErr) return effect
    const plain: Console.Console = {
      ...console,
      log: (...args) => console.log(...(plainOut ? plainArgs(args) : args)),
      info: (...args) => console.info(...(plainOut ? plainArgs(args) : args)),
      error: (...args) => console.error(...(plainErr ? plainArgs(args) : args)),
      warn: (...args) => console.warn(...(plainErr ? plainArgs(args) : args))
    }
    return Effect.withConsole(effect, plain)
  })

/**
 * A status line on stderr, redrawn in place; only on a terminal, a no-op elsewhere.
 */
export interface StatusLine {
  readonly show: (text: string) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
}

/** A status line that draws only when stderr is a terminal. */
export const statusLine = (): StatusLine => {
  if (!stderrIsTerminal()) return { show: () => Effect.void, clear: Effect.void }
  let drawn = false
  return {
    show: (text) =>
      Effect.sync(() => {
        // A line longer than the terminal would wrap, and `\r` would no longer get back to its start.
        const width = process.stderr.columns > 10 ? process.stderr.columns : 80
        process.stderr.write(`\r\u001b[K${text.length >= width ? text.slice(0, width - 1) : text}`)
        drawn = true
      }),
    clear: Effect.sync(() => {
      if (drawn) process.stderr.write("\r\u001b[K")
      drawn = false
    })
  }
}
