/**
 * The project id of a region, from IAM: a signed `GET {iam}/v3/projects?name={region}`, as the
 * official SDKs do when no project id is given. Never creates a project.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Credentials from "../Credentials.js"
import { env, firstVariable } from "./credentials.js"
import { isHttpUrl, isRegionName } from "./url.js"

/**
 * Why a lookup failed, without a secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly iamEndpoint: string | undefined
  readonly reason: string
  readonly status?: number | undefined
  readonly requestId?: string | undefined
}

/**
 * The IAM endpoint of a region: `https://iam.{region}.myhuaweicloud.com`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const regionIamEndpoint = (region: string): string => `https://iam.${region}.myhuaweicloud.com`

/**
 * The IAM endpoint to ask: the one given (an option, or the profile's `iam_endpoint`), else
 * `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the region's; without a trailing slash.
 *
 * @since 0.1.0
 * @category constructors
 */
export const iamEndpoint = (region: string, given: string | undefined): Effect.Effect<string, Failure> =>
  Effect.gen(function*() {
    if (!isRegionName(region)) {
      return yield* Effect.fail<Failure>({
        iamEndpoint: undefined,
        reason: "the region is not a region name such as cn-north-4"
      })
    }
    const fromEnv = given === undefined ? yield* firstVariable([env.iamEndpoint]) : Option.none()
    const chosen = given ?? (Option.isSome(fromEnv) ? fromEnv.value.value : regionIamEndpoint(region))
    if (!isHttpUrl(chosen)) {
      return yield* Effect.fail<Failure>({
        iamEndpoint: undefined,
        reason: `${
          given === undefined && Option.isSome(fromEnv) ? env.iamEndpoint : "the IAM endpoint"
        } must be an http(s) URL without credentials, query or fragment`
      })
    }
    return chosen.replace(/\/+$/, "")
  })

// Found project ids, by IAM endpoint, access key and region: process-wide, as the official SDKs
// keep them, so that a client rebuilt with the same credentials does not ask IAM again.
const cache = new Map<string, string>()

const cacheKey = (endpoint: string, accessKeyId: string, region: string) => `${endpoint}\n${accessKeyId}\n${region}`

const MAX_MESSAGE = 300

// IAM's error body: `{error_code, error_msg}` from the gateway, `{error: {code, message}}` from IAM.
const describeErrorBody = (text: string): string => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return ""
  }
  if (typeof json !== "object" || json === null) return ""
  const body = json as Record<string, unknown>
  const nested = typeof body.error === "object" && body.error !== null ? body.error as Record<string, unknown> : {}
  const code = body.error_code ?? nested.code
  const message = body.error_msg ?? nested.message
  const parts = [code, message].filter((part) => typeof part === "string" || typeof part === "number")
  return parts.join(": ")
}

/** Removes the secrets of `credentials` from text that may echo the request (a 401's canonical request). */
const withoutSecrets = (text: string, credentials: Credentials.AccessKey): string => {
  let out = text
  for (const secret of [credentials.secretAccessKey, credentials.securityToken]) {
    if (secret === undefined) continue
    const value = Redacted.value(secret)
    if (value !== "") out = out.split(value).join("<redacted>")
  }
  return out.length > MAX_MESSAGE ? out.slice(0, MAX_MESSAGE) + "…" : out
}

interface Project {
  readonly id: string
  readonly name: string | undefined
}

const parseProjects = (text: string): Either.Either<ReadonlyArray<Project>, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("the answer is not JSON")
  }
  const projects = typeof json === "object" && json !== null ? (json as { projects?: unknown }).projects : undefined
  if (!Array.isArray(projects)) return Either.left("the answer has no \"projects\" list")
  const out: Array<Project> = []
  for (const project of projects) {
    const id = typeof project === "object" && project !== null ? (project as { id?: unknown }).id : undefined
    if (typeof id !== "string" || id === "") return Either.left("a project of the answer has no id")
    const name = (project as { name?: unknown }).name
    out.push({ id, name: typeof name === "string" ? name : undefined })
  }
  return Either.right(out)
}

/**
 * Looks the project id of `region` up in IAM, signing with `credentials` (and `sign`'s algorithm),
 * or answers it from the cache.
 *
 * @since 0.1.0
 * @category lookup
 */
export const lookup = (options: {
  readonly region: string
  readonly credentials: Credentials.AccessKey
  readonly iamEndpoint: string | undefined
  readonly timeout: Duration.Duration
  readonly userAgent: string
  readonly sign: (
    request: HttpClientRequest.HttpClientRequest,
    credentials: Credentials.AccessKey,
    now: number
  ) => HttpClientRequest.HttpClientRequest
}): Effect.Effect<string, Failure, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const endpoint = yield* iamEndpoint(options.region, options.iamEndpoint)
    const key = cacheKey(endpoint, options.credentials.accessKeyId, options.region)
    const cached = cache.get(key)
    if (cached !== undefined) return cached

    const url = `${endpoint}/v3/projects`
    const fail = (reason: string, extra: { status?: number; requestId?: string | undefined } = {}) =>
      Effect.fail<Failure>({ iamEndpoint: url, reason, ...extra })
    // The platform's client span would record the signed headers (the security token): no span.
    const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, () => true)
    const now = yield* Clock.currentTimeMillis
    const request = options.sign(
      HttpClientRequest.get(url, {
        urlParams: { name: options.region },
        headers: { accept: "application/json", "user-agent": options.userAgent }
      }),
      options.credentials,
      now
    )
    const answer = yield* client.execute(request).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
      Effect.timeoutFail({
        duration: options.timeout,
        onTimeout: () => ({ timeout: true as const })
      }),
      Effect.either
    )
    if (Either.isLeft(answer)) {
      const error = answer.left
      return yield* fail(
        "timeout" in error
          ? `no answer within ${Duration.format(options.timeout)}`
          : `the request failed: ${error.cause instanceof Error ? error.cause.message : error.reason}`
      )
    }
    const { response, text } = answer.right
    const requestId = response.headers["x-request-id"] || undefined
    if (response.status < 200 || response.status >= 300) {
      const detail = withoutSecrets(describeErrorBody(text), options.credentials)
      return yield* fail(`IAM answered HTTP ${response.status}${detail === "" ? "" : ` (${detail})`}`, {
        status: response.status,
        requestId
      })
    }
    const projects = parseProjects(text)
    if (Either.isLeft(projects)) return yield* fail(projects.left, { status: response.status, requestId })
    // IAM filters by name; a proxy might not, so a project named otherwise is not taken.
    const named = projects.right.filter((project) => project.name === undefined || project.name === options.region)
    if (named.length === 0) {
      return yield* fail(`IAM has no project named "${options.region}" for these credentials`, { requestId })
    }
    if (named.length > 1) {
      return yield* fail(
        `IAM has ${named.length} projects named "${options.region}" (${
          named.map((project) => project.id).join(", ")
        }): give the project id`,
        { requestId }
      )
    }
    const id = (named[0] as Project).id
    cache.set(key, id)
    return id
  })
