import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Util from "node:util"
import type * as Credentials from "../src/Credentials.js"
import * as signer from "../src/internal/signer.js"
import * as Signing from "../src/internal/signing.js"
import * as Signer from "../src/Signer.js"
import {
  official,
  officialQueryParams,
  type OfficialRequest,
  vectorCredentials,
  vectorGet,
  vectorPost,
  vectorTime
} from "./support/common.js"

const encoder = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const RESERVED = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}"
const nonAscii = fc.oneof(
  fc.constantFrom("一", "é", "ß", "😀", "\u00a0", "\u200b", "\ufeff", "\uffff", "\u{10ffff}"),
  fc.integer({ min: 0x80, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) =>
    String.fromCodePoint(cp)
  )
)
const anyChar = fc.oneof(
  fc.constantFrom(...RESERVED),
  fc.constantFrom(..."aZ09-_.~"),
  nonAscii,
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
)
const text = fc.string({ unit: anyChar, maxLength: 10 })

// Path characters. No "%": the official signer encodes the path as given, so an existing "%" would
// be encoded twice there (ours decodes each segment first, as the gateway does). Nor the
// characters `url.parse` escapes or cuts at (space " ' < > \ ^ ` { | } ? #), which the official
// signer would then encode twice too, nor ASCII controls (the URL parser drops tabs and newlines).
// Their canonical form is compared with the official CanonicalURI directly in signing.test.ts.
const pathChar = fc.oneof(fc.constantFrom(..."abcXYZ019-_.~"), fc.constantFrom(..."!$&()*+,;=:@[]"), nonAscii)
const segment = fc.string({ unit: pathChar, maxLength: 8 }).filter((s) => s !== "." && s !== "..")
// `url.parse` also trims the URL string, Unicode white space included: a path never ends with one.
const rawPath = fc.tuple(fc.array(segment, { maxLength: 4 }), fc.boolean()).map(([segments, trailingSlash]) => {
  const path = "/" + segments.join("/") + (trailingSlash && segments.length > 0 ? "/" : "")
  return path.trimEnd() === path ? path : path + "z"
})

const pad = fc.constantFrom("", " ", "  ", "\t", " \t")
const padded = (inner: fc.Arbitrary<string>) => fc.tuple(pad, inner, pad).map(([l, s, r]) => l + s + r)
const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 32, maxLength: 32 })

type BodyKind = "none" | "text" | "raw" | "bytes" | "json" | "stream"

const requestCase = fc.record({
  method: fc.constantFrom<HttpMethod>("GET", "POST", "PUT", "DELETE", "PATCH"),
  scheme: fc.constantFrom("https", "http"),
  host: fc.constantFrom("dcs.cn-north-4.myhuaweicloud.com", "localhost", "127.0.0.1", "example.com"),
  port: fc.constantFrom("", ":8443", ":8080", ":1"),
  path: rawPath,
  pathForm: fc.constantFrom("raw", "rfc3986", "uriComponent"),
  query: fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom("limit", "offset", "multi", "a{", "ab", ""), text),
      fc.oneof(fc.constant(""), text)
    ),
    { maxLength: 6 }
  ),
  embedded: fc.nat({ max: 6 }),
  fragment: fc.option(fc.constantFrom("frag", "a b"), { nil: undefined }),
  bodyKind: fc.constantFrom<BodyKind>("none", "text", "raw", "bytes", "json", "stream"),
  // Never falsy: the official signer skips the body hash for a falsy `data`.
  data: fc.jsonValue({ maxDepth: 2, stringUnit: anyChar }).filter(Boolean),
  contentType: fc.option(
    fc.constantFrom("application/json", " application/json;charset=UTF-8 ", "text/plain\t", "application/x-custom"),
    { nil: undefined }
  ),
  accept: fc.boolean(),
  now: fc.integer({ min: 0, max: Date.UTC(2099, 11, 31, 23, 59, 59, 999) }),
  accessKeyId: fc.constantFrom("AccessKey", "HPUAL2ZXPZ6VXSQH3WDE"),
  secretKey: fc.string({ unit: anyChar, minLength: 1, maxLength: 40 }),
  projectId: fc.option(padded(hex), { nil: undefined }),
  securityToken: fc.option(padded(fc.base64String({ minLength: 4, maxLength: 80 })), { nil: undefined })
})

type RequestCase = typeof requestCase extends fc.Arbitrary<infer A> ? A : never

const encodePath = (path: string, form: RequestCase["pathForm"]): string =>
  form === "raw" ? path : path.split("/").map(form === "rfc3986" ? Signing.encodeRfc3986 : encodeURIComponent).join("/")

interface Built {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly bodyBytes: Uint8Array
  readonly contentType: string | undefined
  readonly hasBody: boolean
}

const build = (c: RequestCase): Built => {
  const embedded = c.query.slice(0, c.embedded)
  const later = c.query.slice(c.embedded)
  const url = `${c.scheme}://${c.host}${c.port}${encodePath(c.path, c.pathForm)}` +
    (embedded.length > 0
      ? "?" + embedded.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")
      : "") +
    (c.fragment === undefined ? "" : "#" + c.fragment)
  let request = HttpClientRequest.make(c.method)(url)
  for (const [key, value] of later) request = HttpClientRequest.appendUrlParam(request, key, value)
  if (c.accept) request = HttpClientRequest.acceptJson(request)
  const body = JSON.stringify(c.data)
  const bytes = encoder.encode(body)
  const kind = c.method === "GET" || c.method === "DELETE" ? "none" : c.bodyKind
  switch (kind) {
    case "none":
      return { request, bodyBytes: new Uint8Array(0), contentType: undefined, hasBody: false }
    case "text":
      return {
        request: HttpClientRequest.bodyText(request, body, c.contentType),
        bodyBytes: bytes,
        contentType: c.contentType ?? "text/plain",
        hasBody: true
      }
    case "raw":
      return {
        request: HttpClientRequest.setBody(request, HttpBody.raw(body, { contentType: c.contentType })),
        bodyBytes: bytes,
        contentType: c.contentType,
        hasBody: true
      }
    case "bytes":
      return {
        request: HttpClientRequest.bodyUint8Array(request, bytes, c.contentType),
        bodyBytes: bytes,
        contentType: c.contentType ?? "application/octet-stream",
        hasBody: true
      }
    case "json":
      return {
        request: HttpClientRequest.bodyUnsafeJson(request, c.data),
        bodyBytes: bytes,
        contentType: "application/json",
        hasBody: true
      }
    case "stream":
      return {
        request: HttpClientRequest.bodyStream(request, Stream.make(bytes), { contentType: c.contentType }),
        bodyBytes: bytes,
        contentType: c.contentType ?? "application/octet-stream",
        hasBody: false
      }
  }
}

// The same request for the official signer. It signs header values untrimmed (the Go and Python
// signers and the gateway trim them, and HTTP drops the spaces around a header value anyway), so
// it gets the values as they arrive.
const officialRequest = (c: RequestCase, built: Built): OfficialRequest => {
  const headers: Record<string, string> = { "X-Sdk-Date": Signing.formatSdkDate(c.now) }
  if (built.contentType !== undefined) headers["Content-Type"] = built.contentType.trim()
  if (c.projectId !== undefined) headers["X-Project-Id"] = c.projectId.trim()
  if (c.securityToken !== undefined) headers["X-Security-Token"] = c.securityToken.trim()
  if (built.request.body._tag === "Stream") headers["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD"
  return {
    method: c.method,
    endpoint: `${c.scheme}://${c.host}${c.port}${c.path}`,
    queryParams: officialQueryParams(c.query),
    headers,
    ...(built.hasBody ? { data: c.data } : {})
  }
}

const credentialsOf = (c: RequestCase): Credentials.AccessKey => ({
  accessKeyId: c.accessKeyId,
  secretAccessKey: Redacted.make(c.secretKey),
  securityToken: c.securityToken === undefined ? undefined : Redacted.make(c.securityToken)
})

const verifyInput = (
  signed: HttpClientRequest.HttpClientRequest,
  body: Uint8Array,
  secrets: Record<string, string>,
  now: number
): Signing.VerifyInput => {
  const url = Option.getOrThrow(HttpClientRequest.toUrl(signed))
  return {
    method: signed.method,
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headers: signed.headers,
    body,
    secretFor: (accessKeyId) => secrets[accessKeyId],
    now
  }
}

// ---------------------------------------------------------------------------------------------
// Differential: our signRequest against the official signer
// ---------------------------------------------------------------------------------------------

const DIFFERENTIAL_RUNS = 1500
let differentialCases = 0

describe("signRequest against the official Node signer", () => {
  it.prop("gives the same Authorization header, sends what it signed, and verifies", [requestCase], ([c]) => {
    differentialCases++
    const built = build(c)
    const signed = Signer.signRequest(built.request, {
      credentials: credentialsOf(c),
      projectId: c.projectId,
      now: c.now
    })
    const expected = official.sign(officialRequest(c, built), { getAk: () => c.accessKeyId, getSk: () => c.secretKey })

    expect(signed.headers["authorization"]).toBe(expected["Authorization"])
    expect(signed.headers["x-sdk-date"]).toBe(expected["X-Sdk-Date"])
    expect(signed.headers["host"]).toBe(expected["host"])

    // What goes on the wire: the URL as is, no urlParams left, every pair in order.
    expect(signed.urlParams).toEqual([])
    const wire = Option.getOrThrow(HttpClientRequest.toUrl(signed))
    expect(wire.pathname + wire.search).toBe(new URL(signed.url).pathname + new URL(signed.url).search)
    expect(Signing.parseQueryString(wire.search.slice(1))).toEqual(c.query.map(([k, v]) => [k, v]))
    expect(Signing.canonicalUri(wire.pathname)).toBe(Signing.canonicalUri(c.path))

    expect(Signing.verifySignature(verifyInput(signed, built.bodyBytes, { [c.accessKeyId]: c.secretKey }, c.now)))
      .toEqual({ _tag: "Valid", accessKeyId: c.accessKeyId })
  }, { fastCheck: { numRuns: DIFFERENTIAL_RUNS } })

  it("ran every generated case", () => {
    expect(differentialCases).toBeGreaterThanOrEqual(DIFFERENTIAL_RUNS)
  })
})

// ---------------------------------------------------------------------------------------------
// Differential: the live layer's signature of a request given by its parts (signWire)
// ---------------------------------------------------------------------------------------------

const wireCase = fc.record({
  method: fc.constantFrom<"GET" | "POST" | "DELETE">("GET", "POST", "DELETE"),
  scheme: fc.constantFrom("https", "http"),
  host: fc.constantFrom("dcs.cn-north-4.myhuaweicloud.com", "localhost", "127.0.0.1"),
  port: fc.constantFrom("", ":8443", ":1"),
  // The client's path: ids, each segment encoded (RFC 3986). Against the official signer only the
  // characters it does not encode twice (see pathChar); against signRequest any character.
  segments: fc.array(fc.string({ unit: pathChar, minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 })
    // `url.parse` trims the URL (Unicode white space included): the official path never ends with one.
    .map((segments) => segments.join("/").trimEnd() === segments.join("/") ? segments : [...segments, "z"]),
  // Not "." or "..", which the client refuses as ids (a URL parser resolves them).
  anySegments: fc.array(
    fc.string({ unit: anyChar, minLength: 1, maxLength: 8 }).filter((s) => s !== "" && s !== "." && s !== ".."),
    { minLength: 1, maxLength: 5 }
  ),
  query: fc.array(fc.tuple(fc.oneof(fc.constantFrom("limit", "offset", "status"), text), text), { maxLength: 4 }),
  data: fc.option(fc.jsonValue({ maxDepth: 2, stringUnit: anyChar }).filter(Boolean), { nil: undefined }),
  now: fc.integer({ min: 0, max: Date.UTC(2099, 11, 31, 23, 59, 59, 999) }),
  accessKeyId: fc.constantFrom("AccessKey", "HPUAL2ZXPZ6VXSQH3WDE"),
  secretKey: fc.string({ unit: anyChar, minLength: 1, maxLength: 40 }),
  projectId: fc.option(hex, { nil: undefined }),
  securityToken: fc.option(fc.base64String({ minLength: 4, maxLength: 80 }), { nil: undefined })
})

describe("signWire (the live layer's signature) against the official Node signer", () => {
  it.prop("gives the same Authorization header as the official signer and signRequest, and verifies", [
    wireCase
  ], ([c]) => {
    const body = c.method === "POST" && c.data !== undefined ? JSON.stringify(c.data) : undefined
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "effect-dcs" }
    if (body !== undefined) headers["content-type"] = "application/json"
    const path = "/" + c.segments.map(Signing.encodeRfc3986).join("/")
    const credentials: Credentials.AccessKey = {
      accessKeyId: c.accessKeyId,
      secretAccessKey: Redacted.make(c.secretKey),
      securityToken: c.securityToken === undefined ? undefined : Redacted.make(c.securityToken)
    }
    const options = { credentials, projectId: c.projectId, now: c.now }
    const signed = signer.signWire(
      { method: c.method, host: c.host + c.port, path, query: c.query, headers, body },
      options
    )

    const officialHeaders: Record<string, string> = { "X-Sdk-Date": Signing.formatSdkDate(c.now) }
    if (body !== undefined) officialHeaders["Content-Type"] = "application/json"
    if (c.projectId !== undefined) officialHeaders["X-Project-Id"] = c.projectId
    if (c.securityToken !== undefined) officialHeaders["X-Security-Token"] = c.securityToken
    const expected = official.sign({
      method: c.method,
      endpoint: `${c.scheme}://${c.host}${c.port}/${c.segments.join("/")}`,
      queryParams: officialQueryParams(c.query),
      headers: officialHeaders,
      ...(body === undefined ? {} : { data: c.data })
    }, { getAk: () => c.accessKeyId, getSk: () => c.secretKey })
    expect(signed["authorization"]).toBe(expected["Authorization"])

    // Ids of any characters: the same signature as signRequest gives the same request as an
    // HttpClientRequest, the URL sent is the one signed, and it verifies.
    const anyPath = "/" + c.anySegments.map(Signing.encodeRfc3986).join("/")
    const anySigned = signer.signWire(
      { method: c.method, host: c.host + c.port, path: anyPath, query: c.query, headers, body },
      options
    )
    let request = HttpClientRequest.make(c.method)(`${c.scheme}://${c.host}${c.port}${anyPath}`, {
      headers,
      urlParams: c.query
    })
    if (body !== undefined) request = HttpClientRequest.bodyText(request, body, "application/json")
    expect(anySigned["authorization"]).toBe(Signer.signRequest(request, options).headers["authorization"])
    const url = new URL(c.scheme + "://" + c.host + c.port + anyPath + signer.wireQuery(c.query))
    expect(url.pathname).toBe(anyPath)
    expect(Signing.verifySignature({
      method: c.method,
      path: url.pathname,
      rawQuery: url.search.slice(1),
      headers: anySigned,
      body: encoder.encode(body ?? ""),
      secretFor: (accessKeyId) => (accessKeyId === c.accessKeyId ? c.secretKey : undefined),
      now: c.now
    })).toEqual({ _tag: "Valid", accessKeyId: c.accessKeyId })
    // The request's own headers go out as they were, with the signature's added.
    for (const name in headers) expect(anySigned[name]).toBe(headers[name])
  }, { fastCheck: { numRuns: 1000 } })
})

// ---------------------------------------------------------------------------------------------
// signRequest behaviour
// ---------------------------------------------------------------------------------------------

describe("signRequest", () => {
  it("signs the published GET and POST vectors", () => {
    const get = Signer.signRequest(
      vectorGet,
      { credentials: vectorCredentials, now: vectorTime }
    )
    expect(get.headers["authorization"]).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " +
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
    )
    expect(get.url).toBe("https://service.endpoint.myhuaweicloud.com/resources?size=1")

    const post = Signer.signRequest(
      vectorPost,
      { credentials: vectorCredentials, now: vectorTime }
    )
    expect(post.headers["authorization"]).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " +
        "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
    )
  })

  it("sets and signs the project id, security token and content type", () => {
    const signed = Signer.signRequest(
      HttpClientRequest.post("http://localhost:8080/v2/p1/instances/i1/offline/key-analysis").pipe(
        HttpClientRequest.bodyUnsafeJson({ node_id: "n1" }),
        HttpClientRequest.setHeader("User-Agent", "test")
      ),
      {
        credentials: { ...vectorCredentials, securityToken: Redacted.make("token") },
        projectId: "p1",
        now: vectorTime
      }
    )
    expect(signed.headers).toMatchObject({
      "host": "localhost:8080",
      "x-sdk-date": "20200608T023900Z",
      "x-project-id": "p1",
      "x-security-token": "token",
      "content-type": "application/json",
      "user-agent": "test"
    })
    expect(Signing.parseAuthorization(signed.headers["authorization"] ?? "")?.signedHeaders).toEqual([
      "content-type",
      "host",
      "x-project-id",
      "x-sdk-date",
      "x-security-token"
    ])
  })

  it("moves urlParams into the URL, after the query already there, and keeps the hash", () => {
    const signed = Signer.signRequest(
      HttpClientRequest.get("https://h.example/a%20b/%E4%B8%80?x=1+2&flag#top").pipe(
        HttpClientRequest.appendUrlParam("q", "a b/ü"),
        HttpClientRequest.appendUrlParam("x", "0")
      ),
      { credentials: vectorCredentials, now: vectorTime }
    )
    expect(signed.url).toBe("https://h.example/a%20b/%E4%B8%80?x=1%2B2&flag=&q=a%20b%2F%C3%BC&x=0")
    expect(signed.urlParams).toEqual([])
    expect(signed.hash).toEqual(Option.some("top"))
  })

  it("sends no body for GET and DELETE and hashes the empty string", () => {
    for (
      const request of [HttpClientRequest.get("https://h.example/x"), HttpClientRequest.del("https://h.example/x")]
    ) {
      const signed = Signer.signRequest(request, { credentials: vectorCredentials, now: vectorTime })
      expect(signed.body._tag).toBe("Empty")
      expect(signed.headers["content-type"]).toBeUndefined()
      expect(signed.headers["x-sdk-content-sha256"]).toBeUndefined()
      expect(
        Signing.verifySignature(verifyInput(signed, new Uint8Array(0), { AccessKey: "SecretKey" }, vectorTime))._tag
      )
        .toBe("Valid")
    }
  })

  it("signs a stream body as UNSIGNED-PAYLOAD", () => {
    const signed = Signer.signRequest(
      HttpClientRequest.put("https://h.example/x").pipe(
        HttpClientRequest.bodyStream(Stream.make(encoder.encode("chunk")))
      ),
      { credentials: vectorCredentials, now: vectorTime }
    )
    expect(signed.headers["x-sdk-content-sha256"]).toBe("UNSIGNED-PAYLOAD")
    expect(Signing.parseAuthorization(signed.headers["authorization"] ?? "")?.signedHeaders).toContain(
      "x-sdk-content-sha256"
    )
    const verified = Signing.verifySignature(
      verifyInput(signed, encoder.encode("any bytes"), { AccessKey: "SecretKey" }, vectorTime)
    )
    expect(verified._tag).toBe("Valid")
  })

  it("throws on a relative URL", () => {
    expect(() => Signer.signRequest(HttpClientRequest.get("/v2/x"), { credentials: vectorCredentials, now: 0 }))
      .toThrow(/absolute/)
  })
})

// ---------------------------------------------------------------------------------------------
// verifySignature
// ---------------------------------------------------------------------------------------------

describe("verifySignature", () => {
  const SK = "SK-verify-secret"
  const credentials: Credentials.AccessKey = {
    accessKeyId: "AK1",
    secretAccessKey: Redacted.make(SK),
    securityToken: Redacted.make("TOKEN-verify")
  }
  const body = encoder.encode(JSON.stringify({ node_id: "n1", backup_id: "b1" }))
  const signed = Signer.signRequest(
    HttpClientRequest.post("https://dcs.example:8443/v2/p1/instances/i1/offline/key-analysis").pipe(
      HttpClientRequest.appendUrlParam("limit", "10"),
      HttpClientRequest.bodyUint8Array(body, "application/json")
    ),
    { credentials, projectId: "p1", now: vectorTime }
  )
  const good = verifyInput(signed, body, { AK1: SK }, vectorTime)
  const withHeaders = (headers: Record<string, string | undefined>): Signing.VerifyInput => ({
    ...good,
    headers: { ...good.headers, ...headers }
  })

  const rejected: ReadonlyArray<readonly [string, Signing.VerifyInput]> = [
    ["tampered path", { ...good, path: "/v2/p1/instances/i2/offline/key-analysis" }],
    ["tampered query", { ...good, rawQuery: "limit=11" }],
    ["added query parameter", { ...good, rawQuery: "limit=10&offset=0" }],
    ["tampered body", { ...good, body: encoder.encode(JSON.stringify({ node_id: "n2", backup_id: "b1" })) }],
    ["changed method", { ...good, method: "PUT" }],
    ["changed signed header", withHeaders({ "x-project-id": "p2" })],
    ["changed content type", withHeaders({ "content-type": "text/plain" })],
    ["missing signed header", withHeaders({ "x-project-id": undefined })],
    ["wrong SK", { ...good, secretFor: () => "not-the-secret" }],
    ["unknown AK", { ...good, secretFor: () => undefined }],
    ["date 16 minutes behind", { ...good, now: vectorTime + 16 * 60_000 }],
    ["date 16 minutes ahead", { ...good, now: vectorTime - 16 * 60_000 }],
    ["changed date", withHeaders({ "x-sdk-date": "20200608T023901Z" })],
    ["malformed date", withHeaders({ "x-sdk-date": "2020-06-08T02:39:00Z" })],
    ["missing date", withHeaders({ "x-sdk-date": undefined })],
    ["missing Authorization", withHeaders({ "authorization": undefined })],
    ["malformed Authorization", withHeaders({ "authorization": "Bearer abc" })],
    [
      "other algorithm",
      withHeaders({ "authorization": (good.headers["authorization"] as string).replace("SHA256", "SM3") })
    ],
    ["wrong body hash header", withHeaders({ "x-sdk-content-sha256": Signing.EMPTY_BODY_SHA256 })]
  ]

  it("accepts the signed request, within 15 minutes either way", () => {
    expect(Signing.verifySignature(good)).toEqual({ _tag: "Valid", accessKeyId: "AK1" })
    expect(Signing.verifySignature({ ...good, now: vectorTime + 15 * 60_000 })._tag).toBe("Valid")
    expect(Signing.verifySignature({ ...good, now: vectorTime - 15 * 60_000 })._tag).toBe("Valid")
  })

  it("accepts header values as node gives them: trimmed, or as an array", () => {
    expect(Signing.verifySignature(withHeaders({ "x-project-id": "  p1 " }))._tag).toBe("Valid")
  })

  for (const [name, input] of rejected) {
    it(`rejects: ${name}`, () => {
      const result = Signing.verifySignature(input)
      expect(result._tag).toBe("Invalid")
      if (result._tag === "Invalid") {
        expect(result.reason).not.toContain(SK)
        expect(result.canonicalRequest ?? "").not.toContain(SK)
        expect(result.canonicalRequest ?? "").not.toContain("TOKEN-verify")
      }
    })
  }

  it("returns the canonical request it computed on a signature mismatch, token redacted", () => {
    const result = Signing.verifySignature({ ...good, rawQuery: "limit=11" })
    expect(result).toMatchObject({ _tag: "Invalid", reason: "signature mismatch" })
    expect(result._tag === "Invalid" ? result.canonicalRequest : undefined).toContain("x-security-token:<redacted>\n")
  })

  it.prop("rejects a signed request whose body or query changed", [
    fc.string({ minLength: 1 }),
    fc.string({ minLength: 1 }),
    fc.string()
  ], ([original, changed, value]) => {
    fc.pre(original !== changed)
    const request = Signer.signRequest(
      HttpClientRequest.patch("https://h.example/r").pipe(HttpClientRequest.bodyText(original)),
      { credentials, now: vectorTime }
    )
    const input = verifyInput(request, encoder.encode(original), { AK1: SK }, vectorTime)
    expect(Signing.verifySignature(input)._tag).toBe("Valid")
    expect(Signing.verifySignature({ ...input, body: encoder.encode(changed) })._tag).toBe("Invalid")
    expect(Signing.verifySignature({ ...input, rawQuery: "k=" + Signing.encodeRfc3986(value) })._tag).toBe("Invalid")
  })
})

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

describe("Signer service", () => {
  const vectorLayer = Signer.layer({ credentials: vectorCredentials })

  it.effect("dates the signature with the Clock", () =>
    Effect.gen(function*() {
      const signer = yield* Signer.Signer
      const request = HttpClientRequest.get("https://service.endpoint.myhuaweicloud.com/resources").pipe(
        HttpClientRequest.setUrlParam("size", "1")
      )

      // Under it.effect the TestClock starts at 0.
      expect((yield* signer.sign(request)).headers["x-sdk-date"]).toBe("19700101T000000Z")

      yield* TestClock.setTime(vectorTime)
      const first = yield* signer.sign(request)
      expect(first.headers["authorization"]).toContain(
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
      )

      // A retry is signed afresh.
      yield* TestClock.adjust("1 minute")
      const second = yield* signer.sign(request)
      expect(second.headers["x-sdk-date"]).toBe("20200608T024000Z")
      expect(second.headers["authorization"]).not.toBe(first.headers["authorization"])
    }).pipe(Effect.provide(vectorLayer)))

  it.effect("adds authorization and x-security-token to Headers.currentRedactedNames", () =>
    Effect.gen(function*() {
      const names = yield* FiberRef.get(Headers.currentRedactedNames)
      expect(names).toEqual(expect.arrayContaining(["authorization", "cookie", "x-security-token"]))
      expect(names.filter((name) => name === "authorization")).toHaveLength(1)
    }).pipe(Effect.provide(vectorLayer)))

  it.effect("dies on a relative URL", () =>
    Effect.gen(function*() {
      const signer = yield* Signer.Signer
      const exit = yield* Effect.exit(signer.sign(HttpClientRequest.get("/relative")))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }).pipe(Effect.provide(vectorLayer)))
})

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

describe("secrets", () => {
  const SK = "SK-SECRET-5f2b8e0c7d41"
  const TOKEN = "TOKEN-SECRET-a93c1e77b0d2"
  const credentials: Credentials.AccessKey = {
    accessKeyId: "AK-PUBLIC",
    secretAccessKey: Redacted.make(SK),
    securityToken: Redacted.make(TOKEN)
  }

  const renderings = (value: unknown): ReadonlyArray<string> => [
    String(value),
    JSON.stringify(value) ?? "",
    Util.inspect(value, { depth: Infinity, showHidden: true }),
    Util.format("%s %o %j", value, value, value)
  ]

  const captureLogger = (lines: Array<string>) =>
    Logger.make<unknown, void>((options) => {
      lines.push(Logger.logfmtLogger.log(options))
      lines.push(Logger.jsonLogger.log(options))
      lines.push(Logger.stringLogger.log(options))
    })

  it("credentials and the service print no secret", () => {
    const service = Effect.runSync(Signer.make({ credentials, projectId: "p1" }))
    for (const rendering of [...renderings(credentials), ...renderings(service)]) {
      expect(rendering).not.toContain(SK)
      expect(rendering).not.toContain(TOKEN)
    }
  })

  it.effect("nothing logged while signing, or logging what was signed, shows a secret", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const signer = yield* Signer.Signer
      yield* TestClock.setTime(vectorTime)
      const signed = yield* signer.sign(
        HttpClientRequest.post("https://dcs.example/v2/p1/x").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 }))
      ).pipe(
        Effect.tap((signed) =>
          Effect.all([
            Effect.logTrace("credentials", credentials),
            Effect.logDebug("signer", signer),
            Effect.logInfo(signed),
            Effect.logWarning("headers", signed.headers),
            Effect.logError("redacted", Headers.redact(signed.headers, Signer.redactedHeaderNames)),
            Effect.logFatal("annotated").pipe(Effect.annotateLogs({ request: signed, credentials }))
          ])
        ),
        Effect.provide(Logger.replace(Logger.defaultLogger, captureLogger(lines))),
        Logger.withMinimumLogLevel(LogLevel.All)
      )

      // The request itself must carry them.
      expect(signed.headers["x-security-token"]).toBe(TOKEN)
      const signature = Signing.parseAuthorization(signed.headers["authorization"] ?? "")?.signature ?? ""
      expect(signature).toMatch(/^[0-9a-f]{64}$/)

      expect(lines.length).toBe(18)
      expect(lines.some((line) => line.includes("<redacted>"))).toBe(true)
      expect(lines.some((line) => line.includes("x-project-id") || line.includes("AK-PUBLIC"))).toBe(true)
      for (const line of lines) {
        expect(line).not.toContain(SK)
        expect(line).not.toContain(TOKEN)
        expect(line).not.toContain(signature)
      }

      const redacted = Headers.redact(signed.headers, Signer.redactedHeaderNames)
      expect(Redacted.isRedacted(redacted["x-security-token"])).toBe(true)
      expect(Redacted.isRedacted(redacted["authorization"])).toBe(true)
      for (const rendering of renderings(redacted)) expect(rendering).not.toContain(TOKEN)

      // Without the extra redacted names, the token would be printed: the names do the work.
      const unprotected: Array<string> = []
      yield* Effect.logInfo(signed).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, captureLogger(unprotected))),
        Effect.locally(Headers.currentRedactedNames, ["authorization"])
      )
      expect(unprotected.some((line) => line.includes(TOKEN))).toBe(true)
    }).pipe(Effect.provide(Signer.layer({ credentials, projectId: "p1" }))))
})
