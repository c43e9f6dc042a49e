/**
 * Options shared by the commands, and the validation of their values (a bad value is a usage
 * error of `@effect/cli`: printed by it, exit code 2).
 *
 * @since 0.1.0
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { parseDuration } from "./format.js"

/** Fails option parsing with a message, as `@effect/cli` does for its own checks. */
export const invalidValue = (message: string): Effect.Effect<never, ValidationError.ValidationError> =>
  Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

/** An integer option with a least value. */
export const integerAtLeast = (name: string, min: number, description: string): Options.Options<number> =>
  Options.integer(name).pipe(
    Options.withDescription(description),
    Options.mapEffect((value) =>
      // The API's integers are 32-bit: the library accepts the same range, so the tool never
      // passes a value the library would then reject.
      Number.isSafeInteger(value) && value >= min && value <= MAX_INT
        ? Effect.succeed(value)
        : invalidValue(`--${name} must be an integer from ${min} to ${MAX_INT}, got ${value}`)
    )
  )

const MAX_INT = 2_147_483_647

/** `--json`. */
export const json = (description: string): Options.Options<boolean> =>
  Options.boolean("json").pipe(Options.withDescription(description))

/** `--timeout`: how long to wait for an analysis in all. */
export const timeout: Options.Options<Option.Option<Duration.Duration>> = Options.text("timeout").pipe(
  Options.withDescription(
    "How long to wait for the analysis in all, e.g. 90s, 10m, 1h30m (default 30m). The analysis goes on " +
      "on the service when the wait gives up."
  ),
  Options.withPseudoName("DURATION"),
  Options.mapEffect((text) =>
    Option.match(parseDuration(text), {
      onNone: () => invalidValue(`--timeout must be a positive duration such as 90s, 10m or 1h30m, got "${text}"`),
      onSome: Effect.succeed
    })
  ),
  Options.optional
)
