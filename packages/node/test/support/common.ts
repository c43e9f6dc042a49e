/**
 * What many test files of this package need: fixed ids and credentials, the official Huawei Cloud
 * signer as an oracle, an environment for `Config`, polling in real time, and a tracer that writes
 * every span down.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Cause, ConfigProvider, Effect, Exit, Redacted, Tracer } from "effect"
import { createRequire } from "node:module"
import { inspect } from "node:util"
import type * as Credentials from "../../src/Credentials.js"

/** The instance id of the API documentation's example. */
export const INSTANCE = "5f9057b5-c330-4ee2-8138-7e69896eeec3"

/** The credentials of the official SDKs' published signature vectors. */
export const vectorCredentials: Credentials.AccessKey = {
  accessKeyId: "AccessKey",
  secretAccessKey: Redacted.make("SecretKey")
}
/** The signing instant of those vectors (`20200608T023900Z`). */
export const vectorTime = Date.UTC(2020, 5, 8, 2, 39, 0)
/** The vectors' GET request: `GET /resources?size=1`. */
export const vectorGet = HttpClientRequest.get("https://service.endpoint.myhuaweicloud.com/resources", {
  urlParams: { size: "1" }
})
/** The vectors' POST request: `POST /resources?size=1` with a JSON body. */
export const vectorPost = HttpClientRequest.post("https://service.endpoint.myhuaweicloud.com/resources?size=1").pipe(
  HttpClientRequest.setBody(HttpBody.raw(`{"name":"test","id":1}`))
)

// ---------------------------------------------------------------------------------------------
// The official Node signer (CommonJS), used as an oracle. It signs every header of
// `request.headers` plus `host` and `X-Sdk-Date`, takes the path from `url.parse(endpoint)`
// (a raw, unencoded path), the query from `queryParams` (decoded), and hashes
// `JSON.stringify(request.data)` as the body. Its helpers are `protected static` in the .d.ts but
// plain static methods at runtime.
// ---------------------------------------------------------------------------------------------

export interface OfficialRequest {
  readonly method: string
  readonly endpoint: string
  readonly queryParams: Record<string, unknown>
  readonly headers: Record<string, string>
  readonly data?: unknown
}

export interface OfficialSigner {
  readonly sign: (
    request: OfficialRequest,
    credential: { readonly getAk: () => string; readonly getSk: () => string }
  ) => Record<string, string>
  readonly CanonicalURI: (path: string) => string
  readonly CanonicalQueryString: (request: { readonly queryParams: unknown }) => string
  readonly urlEncode: (s: string) => string
}

export const official: OfficialSigner = (createRequire(import.meta.url)(
  "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js"
) as { readonly AKSKSigner: OfficialSigner }).AKSKSigner

/** What the official signer takes as query parameters: key -> value, or the values of a repeated key. */
export const officialQueryParams = (
  pairs: ReadonlyArray<readonly [string, string]>
): Record<string, string | Array<string>> => {
  const params: Record<string, string | Array<string>> = Object.create(null)
  for (const [key, value] of pairs) {
    const existing = params[key]
    params[key] = existing === undefined
      ? value
      : typeof existing === "string"
      ? [existing, value]
      : [...existing, value]
  }
  return params
}

// ---------------------------------------------------------------------------------------------
// Environment, time, printing
// ---------------------------------------------------------------------------------------------

/** Runs an effect with exactly these variables for `Config`. */
export const withEnv = (vars: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

/** A couple of milliseconds of real time (the TestClock does not move). */
export const realTick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))

/**
 * Polls `get` in real time (the TestClock does not move) until `until` holds; dies after about
 * ten seconds, so a missing event fails the test instead of hanging it.
 */
export const eventually = <A, E = never>(
  get: Effect.Effect<A, E>,
  until: (a: A) => boolean,
  what?: string
): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    for (let i = 0; i < 5_000; i++) {
      const value = yield* get
      if (until(value)) return value
      yield* realTick
    }
    return yield* Effect.dieMessage(what === undefined ? "gave up waiting" : `gave up waiting for ${what}`)
  })

/** Lets real I/O run for a while (a few event-loop turns), for asserting that nothing happens. */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 25; i++) yield* realTick
})

/** Every way an error may be printed. */
export const printed = (error: unknown): string =>
  [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    inspect(Exit.fail(error), { depth: 10 })
  ].join("\n")

/** A tracer that writes down every span: name, attributes, events, and how it ended. */
export const recordingTracer = (spans: Array<string>) =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: Math.random().toString(16).slice(2),
        traceId: "trace",
        parent,
        context,
        links: [...links],
        sampled: true,
        kind,
        attributes,
        status: { _tag: "Started", startTime },
        attribute: (key, value) => {
          attributes.set(key, value)
          spans.push(`${name} ${key}=${inspect(value, { depth: 10 })}`)
        },
        event: (event, _time, eventAttributes) =>
          spans.push(`${name} event ${event} ${inspect(eventAttributes, { depth: 10 })}`),
        addLinks: () => {},
        // What an exporter sees of the outcome: the failure, not the success value.
        end: (_endTime, exit) =>
          spans.push(
            `${name} end ${inspect([...attributes], { depth: 10 })} ${
              Exit.isFailure(exit) ? inspect(exit.cause, { depth: 10 }) + Cause.pretty(exit.cause) : "success"
            }`
          )
      }
      return span
    },
    context: (f) => f()
  })
