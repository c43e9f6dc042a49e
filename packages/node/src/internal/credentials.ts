/**
 * The sources of credentials: the environment, the profile file and the ECS metadata service.
 * Each answers the credentials it found or a `Failure` that says what it lacked; `Credentials.ts`
 * turns failures into `CredentialsError`s and adds caching, refreshing and the chain.
 *
 * No failure quotes a secret: reasons name variables, files, lines, keys and URLs only.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import type * as Credentials from "../Credentials.js"
import { parseIni } from "./credentialsIni.js"
import { isHttpUrl } from "./url.js"

/**
 * What a source lacked. `Missing`: it has no credentials at all (a chain tries the next source);
 * `Invalid`: it has some, but they cannot be used (a chain stops, so that a mistake is not hidden
 * by credentials from elsewhere).
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly kind: "Missing" | "Invalid"
  readonly reason: string
}

const missing = (reason: string): Failure => ({ kind: "Missing", reason })
const invalid = (reason: string): Failure => ({ kind: "Invalid", reason })

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** @internal */
export const env = {
  accessKeyId: ["CLOUD_SDK_AK", "HUAWEICLOUD_SDK_AK"],
  secretAccessKey: ["CLOUD_SDK_SK", "HUAWEICLOUD_SDK_SK"],
  securityToken: ["CLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"],
  projectId: "HUAWEICLOUD_SDK_PROJECT_ID",
  credentialsFile: "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
  metadataEndpoint: "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
  iamEndpoint: "HUAWEICLOUD_SDK_IAM_ENDPOINT"
} as const

/**
 * The first of the variables that is set to a non-empty value, with its name. A variable that
 * cannot be read counts as unset.
 *
 * @internal
 */
export const firstVariable = (
  names: ReadonlyArray<string>
): Effect.Effect<Option.Option<{ readonly name: string; readonly value: string }>> =>
  Effect.reduce(
    names,
    Option.none<{ readonly name: string; readonly value: string }>(),
    (found, name) =>
      Option.isSome(found)
        ? Effect.succeed(found)
        : Config.option(Config.string(name)).pipe(
          Effect.map(Option.filter((value) => value.trim() !== "")),
          Effect.map(Option.map((value) => ({ name, value: value.trim() }))),
          Effect.orElseSucceed(() => Option.none())
        )
  )

const orList = (names: ReadonlyArray<string>): string =>
  names.length === 2 ? `neither ${names[0]} nor ${names[1]}` : `none of ${names.join(", ")}`

/**
 * The credentials of the environment: the access key from `CLOUD_SDK_AK` else `HUAWEICLOUD_SDK_AK`,
 * the secret key and the security token likewise, and `HUAWEICLOUD_SDK_PROJECT_ID`.
 *
 * @internal
 */
export const readEnvironment: Effect.Effect<Credentials.Resolved, Failure> = Effect.gen(function*() {
  const ak = yield* firstVariable(env.accessKeyId)
  const sk = yield* firstVariable(env.secretAccessKey)
  if (Option.isSome(ak) && Option.isNone(sk)) {
    return yield* Effect.fail(invalid(`${ak.value.name} is set but ${orList(env.secretAccessKey)} is`))
  }
  if (Option.isNone(ak) && Option.isSome(sk)) {
    return yield* Effect.fail(invalid(`${sk.value.name} is set but ${orList(env.accessKeyId)} is`))
  }
  if (Option.isNone(ak) || Option.isNone(sk)) {
    return yield* Effect.fail(missing(`${orList([...env.accessKeyId, ...env.secretAccessKey])} is set`))
  }
  const token = yield* firstVariable(env.securityToken)
  const projectId = yield* firstVariable([env.projectId])
  return {
    accessKeyId: ak.value.value,
    secretAccessKey: Redacted.make(sk.value.value),
    securityToken: Option.isSome(token) ? Redacted.make(token.value.value) : undefined,
    projectId: Option.isSome(projectId) ? projectId.value.value : undefined,
    source: "environment"
  }
})

// ---------------------------------------------------------------------------------------------
// Profile file
// ---------------------------------------------------------------------------------------------

/**
 * Where the profile is: the path given, else `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
 * `.huaweicloud/credentials` in the home directory (`HOME`, else `USERPROFILE`, else the
 * operating system's). `explicit` tells whether someone named the file.
 *
 * @internal
 */
export const profilePath = (
  path: string | undefined
): Effect.Effect<{ readonly path: string; readonly explicit: boolean }> =>
  Effect.gen(function*() {
    if (path !== undefined) return { path, explicit: true }
    const file = yield* firstVariable([env.credentialsFile])
    if (Option.isSome(file)) return { path: file.value.value, explicit: true }
    const home = yield* firstVariable(["HOME", "USERPROFILE"])
    const dir = Option.isSome(home) ? home.value.value : Os.homedir()
    return { path: Path.join(dir, ".huaweicloud", "credentials"), explicit: false }
  })

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

/**
 * The `[basic]` section of the profile file: `ak`, `sk`, and optionally `security_token`,
 * `project_id` and `iam_endpoint`. A file that does not exist is `Missing` unless it was named
 * explicitly; a file that cannot be read or parsed is `Invalid`, with its path and line.
 *
 * @internal
 */
export const readProfile = (path: string | undefined): Effect.Effect<Credentials.Resolved, Failure> =>
  Effect.gen(function*() {
    const location = yield* profilePath(path)
    const file = location.path
    const text = yield* Effect.tryPromise({
      try: () => Fs.readFile(file, "utf8"),
      catch: (error): Failure => {
        const code = errorCode(error)
        if (code === "ENOENT" || code === "ENOTDIR") {
          return location.explicit ? invalid(`${file} does not exist`) : missing(`${file} does not exist`)
        }
        return invalid(`${file} cannot be read (${code ?? "unknown error"})`)
      }
    })
    const parsed = parseIni(text)
    if (Either.isLeft(parsed)) {
      return yield* Effect.fail(invalid(`${file}, line ${parsed.left.line}: ${parsed.left.reason}`))
    }
    const basic = parsed.right.get("basic")
    if (basic === undefined) return yield* Effect.fail(missing(`${file} has no [basic] section`))
    const value = (key: string): string | undefined => {
      const v = basic.get(key)
      return v === undefined || v === "" ? undefined : v
    }
    const ak = value("ak")
    const sk = value("sk")
    if (ak === undefined && sk === undefined) return yield* Effect.fail(missing(`${file} [basic] has no ak and sk`))
    if (ak === undefined) return yield* Effect.fail(invalid(`${file} [basic] has sk but no ak`))
    if (sk === undefined) return yield* Effect.fail(invalid(`${file} [basic] has ak but no sk`))
    const token = value("security_token")
    const iamEndpoint = value("iam_endpoint")
    if (iamEndpoint !== undefined && !isHttpUrl(iamEndpoint)) {
      return yield* Effect.fail(invalid(`${file} [basic] iam_endpoint must be an http(s) URL`))
    }
    return {
      accessKeyId: ak,
      secretAccessKey: Redacted.make(sk),
      securityToken: token === undefined ? undefined : Redacted.make(token),
      projectId: value("project_id"),
      iamEndpoint,
      source: `profile ${file}`
    }
  })

// ---------------------------------------------------------------------------------------------
// ECS metadata
// ---------------------------------------------------------------------------------------------

/** @internal */
export const defaultMetadataEndpoint = "http://169.254.169.254"

/** @internal */
export const defaultMetadataTimeout = Duration.seconds(3)

/** @internal */
export const TOKEN_PATH = "/meta-data/latest/api/token"

/** @internal */
export const SECURITY_KEY_PATH = "/openstack/latest/securitykey"

/** The lifetime asked for the metadata session token: 6 hours, as the official SDKs ask. */
const TOKEN_TTL_SECONDS = "21600"

/**
 * The metadata endpoint: the one given, else `HUAWEICLOUD_SDK_METADATA_ENDPOINT`, else
 * `http://169.254.169.254`; without a trailing slash.
 *
 * @internal
 */
export const metadataEndpoint = (endpoint: string | undefined): Effect.Effect<string, Failure> =>
  Effect.gen(function*() {
    const fromEnv = endpoint === undefined ? yield* firstVariable([env.metadataEndpoint]) : Option.none()
    const chosen = endpoint ?? (Option.isSome(fromEnv) ? fromEnv.value.value : defaultMetadataEndpoint)
    if (!isHttpUrl(chosen)) {
      const origin = endpoint === undefined ? env.metadataEndpoint : "the metadata endpoint"
      return yield* Effect.fail(invalid(`${origin} must be an http(s) URL without credentials, query or fragment`))
    }
    return chosen.replace(/\/+$/, "")
  })

const describeHttpError = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const code = errorCode(cause)
    const inner = (cause as { cause?: unknown }).cause
    const innerCode = errorCode(inner)
    const innerText = inner instanceof Error
      ? `: ${innerCode === undefined ? "" : innerCode + " "}${inner.message}`
      : ""
    return `${code === undefined ? "" : code + " "}${cause.message}${innerText}`
  }
  return error.reason
}

interface MetadataAnswer {
  readonly access: string
  readonly secret: string
  readonly securitytoken: string
  readonly expires_at: string
}

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== ""

// Names what is wrong with the answer, never a value.
const parseSecurityKey = (text: string): Either.Either<MetadataAnswer, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("the answer is not JSON")
  }
  const credential = typeof json === "object" && json !== null
    ? (json as { readonly credential?: unknown }).credential
    : undefined
  if (typeof credential !== "object" || credential === null) return Either.left("the answer has no \"credential\"")
  const fields = credential as Record<string, unknown>
  const lacking = ["access", "secret", "securitytoken", "expires_at"].filter((key) => !nonEmptyString(fields[key]))
  if (lacking.length > 0) return Either.left(`the answer's credential lacks ${lacking.join(", ")}`)
  return Either.right(fields as unknown as MetadataAnswer)
}

/**
 * Fetches temporary credentials from the ECS metadata service: a session token
 * (`PUT /meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds: 21600`), then
 * `GET /openstack/latest/securitykey` with `X-Metadata-Token`. Each call may take `timeout`.
 * An unreachable service or a non-2xx answer is `Missing` (not on ECS, or no agency); an answer
 * that is not the documented JSON, or credentials that expire within `minimumLifetime`, are
 * `Invalid`.
 *
 * @internal
 */
export const fetchMetadata = (options: {
  readonly client: HttpClient.HttpClient
  readonly endpoint: string | undefined
  readonly timeout: Duration.Duration
  readonly minimumLifetime: Duration.Duration
}): Effect.Effect<Credentials.Resolved, Failure> =>
  Effect.gen(function*() {
    const endpoint = yield* metadataEndpoint(options.endpoint)
    // The platform's client span would record the session token header: no span.
    const client = HttpClient.withTracerDisabledWhen(options.client, () => true)
    const call = (request: HttpClientRequest.HttpClientRequest, what: string) =>
      client.execute(request).pipe(
        Effect.mapError((error) => missing(`${what} failed: ${describeHttpError(error)}`)),
        Effect.flatMap((response) =>
          response.status >= 200 && response.status < 300
            ? Effect.mapError(response.text, (error) => missing(`${what} failed: ${describeHttpError(error)}`))
            : Effect.fail(missing(`${what} answered HTTP ${response.status}`))
        ),
        Effect.timeoutFail({
          duration: options.timeout,
          onTimeout: () => missing(`${what} had no answer within ${Duration.format(options.timeout)}`)
        })
      )
    const token = (yield* call(
      HttpClientRequest.put(endpoint + TOKEN_PATH, {
        headers: { "x-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS }
      }),
      `PUT ${endpoint}${TOKEN_PATH}`
    )).trim()
    if (token === "") return yield* Effect.fail(invalid(`PUT ${endpoint}${TOKEN_PATH} answered an empty token`))
    const text = yield* call(
      HttpClientRequest.get(endpoint + SECURITY_KEY_PATH, { headers: { "x-metadata-token": token } }),
      `GET ${endpoint}${SECURITY_KEY_PATH}`
    )
    const answer = parseSecurityKey(text)
    if (Either.isLeft(answer)) {
      return yield* Effect.fail(invalid(`GET ${endpoint}${SECURITY_KEY_PATH}: ${answer.left}`))
    }
    const expiresAt = Date.parse(answer.right.expires_at)
    if (Number.isNaN(expiresAt)) {
      return yield* Effect.fail(invalid(`GET ${endpoint}${SECURITY_KEY_PATH}: expires_at is not a date`))
    }
    const now = yield* Clock.currentTimeMillis
    if (expiresAt - now <= Duration.toMillis(options.minimumLifetime)) {
      return yield* Effect.fail(
        invalid(`GET ${endpoint}${SECURITY_KEY_PATH} answered credentials that expire at ${answer.right.expires_at}`)
      )
    }
    return {
      accessKeyId: answer.right.access,
      secretAccessKey: Redacted.make(answer.right.secret),
      securityToken: Redacted.make(answer.right.securitytoken),
      expiresAt,
      source: `ECS metadata ${endpoint}`
    }
  })
