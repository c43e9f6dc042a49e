/**
 * What the tool says when something fails, and the exit code that goes with it:
 *
 * - 1: the API or the network failed (a `DcsError` from a response or the transport, an analysis
 *   that failed, a wait that timed out), or the service holds nothing to answer with (no
 *   successful analysis to compare, a task without a report), or `diff`'s growth gate tripped. A
 *   response's error is printed as `error_code: error_msg (request id …)`; any other as its message.
 * - 2: the command line or the configuration is wrong: a usage error of `@effect/cli` (already
 *   printed by it), a `ConfigError` (a variable missing or malformed), no usable credentials
 *   (`CredentialsError`, or the `DcsTransportError` with reason `Credentials` of a request that
 *   could not be signed), no project id to be found, a bad flag value, or input the client
 *   rejected before sending anything (`DcsInvalidRequest`).
 *
 * @since 0.1.0
 */
import * as DcsError from "@effect-dcs/core/DcsError"
import { isValidationError } from "@effect/cli/ValidationError"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/** The exit codes of the tool. */
export const ExitCode = {
  ok: 0,
  apiError: 1,
  usage: 2,
  /** Ctrl+C (128 + SIGINT), as shells report it. */
  interrupted: 130
} as const

/** A command line that parses but makes no sense (`--page-size` without `--all`, …). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** A configuration the tool cannot use that is not a `ConfigError` (an unreadable `--sk-file`, …). */
export class ConfigurationError extends Data.TaggedError("ConfigurationError")<{ readonly message: string }> {}

/** What to print on stderr, and the exit code. */
export interface Report {
  readonly code: number
  readonly lines: ReadonlyArray<string>
}

const hasTag = (error: unknown, tag: string): boolean => Predicate.isTagged(error, tag)

/** The line of an error the service answered: `DCS.4230: Does not support … (request id …)`. */
export const statusLine = (error: DcsError.DcsStatusError): string => {
  const what = error.errorCode === ""
    ? `HTTP ${error.status}: ${error.errorMsg}`
    : `${error.errorCode}: ${error.errorMsg}`
  return `${what} (${error.requestId === undefined ? "no request id" : `request id ${error.requestId}`})`
}

const resumeHint = (error: unknown): ReadonlyArray<string> =>
  Predicate.hasProperty(error, "offset") && typeof error.offset === "number"
    ? [`hint: the listing stopped at offset ${error.offset}; resume with --all --offset ${error.offset}`]
    : []

const statusHints = (error: DcsError.DcsStatusError): ReadonlyArray<string> => {
  switch (error._tag) {
    case "DcsAnalysisAlreadyRunning":
      return [
        "hint: an analysis is already waiting or running on that node; find it with " +
        "`list <instance-id> --status running` and `wait` for it"
      ]
    case "DcsUnauthorized":
      return ["hint: check the access key and secret key, and that this machine's clock is right"]
    case "DcsNotFound":
      return ["hint: check the instance id, and that the endpoint is the instance's region"]
    default:
      return []
  }
}

const credentialsHint = "hint: set CLOUD_SDK_AK and CLOUD_SDK_SK (the secret key may come from --sk-file instead), " +
  "or try the tool with --emulator"

/** How each failure is reported. */
export const report = (error: unknown): Report => {
  if (isValidationError(error)) return { code: ExitCode.usage, lines: [] } // @effect/cli printed it
  if (ConfigError.isConfigError(error)) return { code: ExitCode.usage, lines: configErrorLines(error) }
  if (hasTag(error, "UsageError") || hasTag(error, "ConfigurationError")) {
    return { code: ExitCode.usage, lines: [(error as UsageError | ConfigurationError).message] }
  }
  if (DcsError.isCredentialsFailure(error)) {
    return { code: ExitCode.usage, lines: [`configuration error: ${error.message}`, credentialsHint] }
  }
  if (hasTag(error, "DcsTransportError") && (error as DcsError.DcsTransportError).reason === "Credentials") {
    // The request was not sent: its description is the credentials provider's.
    const description = (error as DcsError.DcsTransportError).description
    return { code: ExitCode.usage, lines: [`configuration error: ${description}`, credentialsHint] }
  }
  if (hasTag(error, "ProjectLookupError")) {
    // Without a region there was nothing to look up: a configuration error; otherwise IAM failed.
    const lookup = error as { readonly region?: string | undefined; readonly message: string }
    return {
      code: lookup.region === undefined ? ExitCode.usage : ExitCode.apiError,
      lines: [lookup.message, "hint: set DCS_PROJECT_ID or pass --project-id"]
    }
  }
  if (hasTag(error, "DcsNoAnalyzableNode")) {
    const noNode = error as { readonly instanceId: string; readonly reason: string }
    return {
      code: ExitCode.apiError,
      lines: [
        `instance ${noNode.instanceId} has no node to analyse: ${noNode.reason}`,
        `hint: \`nodes ${noNode.instanceId}\` lists its nodes; \`analyze ${noNode.instanceId} --node <node-id>\` ` +
        "analyses one of them"
      ]
    }
  }
  if (hasTag(error, "DcsInvalidRequest")) {
    return { code: ExitCode.usage, lines: [(error as DcsError.DcsInvalidRequest).message] }
  }
  if (DcsError.isStatusError(error)) {
    return { code: ExitCode.apiError, lines: [statusLine(error), ...statusHints(error), ...resumeHint(error)] }
  }
  if (hasTag(error, "DcsNoSuccessfulAnalysis")) {
    const none = error as DcsError.DcsNoSuccessfulAnalysis
    return {
      code: ExitCode.apiError,
      lines: [
        none.message,
        `hint: \`list ${none.instanceId} --status success\` lists the successful analyses; ` +
        `\`analyze ${none.instanceId} --node ${none.nodeId ?? "<node-id>"}\` makes one`
      ]
    }
  }
  if (hasTag(error, "DcsWaitTimeout")) {
    const timeout = error as DcsError.DcsWaitTimeout
    return {
      code: ExitCode.apiError,
      lines: [
        timeout.message,
        `hint: the analysis goes on on the service; wait again with \`wait ${timeout.instanceId} ${timeout.taskId}\``
      ]
    }
  }
  if (Predicate.isError(error) || Predicate.hasProperty(error, "message")) {
    return { code: ExitCode.apiError, lines: [String((error as Error).message), ...resumeHint(error)] }
  }
  return { code: ExitCode.apiError, lines: [String(error)] }
}

// ---------------------------------------------------------------------------------------------
// ConfigError: name every variable that is missing (with its alternatives), or say what is wrong
// with the one that is malformed.
// ---------------------------------------------------------------------------------------------

const invalid = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...invalid(error.left), ...invalid(error.right)]
    case "InvalidData":
      return [
        error.path.length === 0 || error.message.includes(error.path.join("."))
          ? error.message
          : `${error.path.join(".")}: ${error.message}`
      ]
    case "SourceUnavailable":
    case "Unsupported":
      return [error.message]
    case "MissingData":
      return []
  }
}

/** Each group lists alternatives: any one of them would do. */
const missing = (error: ConfigError.ConfigError): ReadonlyArray<ReadonlyArray<string>> => {
  switch (error._op) {
    case "And":
      return [...missing(error.left), ...missing(error.right)]
    case "Or": {
      const alternatives = [...missing(error.left), ...missing(error.right)].flat()
      return alternatives.length === 0 ? [] : [alternatives]
    }
    case "MissingData":
      return [[error.path.join(".")]]
    default:
      return []
  }
}

const unique = <A>(values: Iterable<A>): Array<A> => Array.from(new Set(values))

/** The lines a `ConfigError` is reported with. */
export const configErrorLines = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  const problems = unique(invalid(error))
  if (problems.length > 0) return problems.map((problem) => `configuration error: ${problem}`)
  const groups = unique(missing(error).map((group) => unique(group).join(" or ")))
  return [
    ...groups.map((group) => `configuration error: missing ${group}`),
    "hint: set the variables (the secret key may come from --sk-file instead), pass --endpoint, --region " +
    "or --project-id, or try the tool with --emulator"
  ]
}
