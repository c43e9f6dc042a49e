/**
 * SDK-HMAC-SM3: the official Python SDK's published vectors, and a differential test against an
 * independent SM3 / HMAC-SM3 written here from the standard (GB/T 32905-2016), itself checked
 * against the standard's own examples.
 */
import { DcsClient } from "@effect-dcs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Option, Redacted, Stream } from "effect"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as Signing from "../src/internal/signing.js"
import * as NodeDcsClient from "../src/NodeDcsClient.js"
import * as ProjectLookup from "../src/ProjectLookup.js"
import * as Signer from "../src/Signer.js"
import { iamServer } from "./support/cloudServers.js"
import { INSTANCE, vectorCredentials, vectorGet, vectorPost, vectorTime } from "./support/common.js"

// ---------------------------------------------------------------------------------------------
// A reference SM3, straight from the standard: no tables, no tricks.
// ---------------------------------------------------------------------------------------------

const rotl = (x: number, n: number): number => ((x << (n % 32)) | (x >>> (32 - (n % 32)))) >>> 0

const P0 = (x: number) => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0
const P1 = (x: number) => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0

const referenceSm3 = (message: Uint8Array): Uint8Array => {
  const bitLength = BigInt(message.length) * 8n
  const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64)
  padded.set(message)
  padded[message.length] = 0x80
  new DataView(padded.buffer).setBigUint64(padded.length - 8, bitLength)

  const v = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]
  const view = new DataView(padded.buffer)
  for (let block = 0; block < padded.length; block += 64) {
    const w: Array<number> = []
    for (let j = 0; j < 16; j++) w.push(view.getUint32(block + j * 4))
    for (let j = 16; j < 68; j++) {
      w.push((P1(w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15)) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!) >>> 0)
    }
    const w1 = Array.from({ length: 64 }, (_, j) => (w[j]! ^ w[j + 4]!) >>> 0)
    let [a, b, c, d, e, f, g, h] = v as [number, number, number, number, number, number, number, number]
    for (let j = 0; j < 64; j++) {
      const t = j < 16 ? 0x79cc4519 : 0x7a879d8a
      const ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) >>> 0, 7)
      const ss2 = (ss1 ^ rotl(a, 12)) >>> 0
      const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c)
      const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g)
      const tt1 = ((ff >>> 0) + d + ss2 + w1[j]!) >>> 0
      const tt2 = ((gg >>> 0) + h + ss1 + w[j]!) >>> 0
      d = c
      c = rotl(b, 9)
      b = a
      a = tt1
      h = g
      g = rotl(f, 19)
      f = e
      e = P0(tt2)
    }
    const next = [a, b, c, d, e, f, g, h]
    for (let i = 0; i < 8; i++) v[i] = (v[i]! ^ next[i]!) >>> 0
  }
  const out = new Uint8Array(32)
  const outView = new DataView(out.buffer)
  v.forEach((word, i) => outView.setUint32(i * 4, word))
  return out
}

const utf8 = (s: string) => new TextEncoder().encode(s)
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
const referenceSm3Hex = (data: string | Uint8Array) => hex(referenceSm3(typeof data === "string" ? utf8(data) : data))

// RFC 2104 with SM3's 64-byte block.
const referenceHmacSm3 = (key: Uint8Array, message: Uint8Array): Uint8Array => {
  const block = new Uint8Array(64)
  block.set(key.length > 64 ? referenceSm3(key) : key)
  const pad = (byte: number) => block.map((b) => b ^ byte)
  const concat = (x: Uint8Array, y: Uint8Array) => {
    const out = new Uint8Array(x.length + y.length)
    out.set(x)
    out.set(y, x.length)
    return out
  }
  return referenceSm3(concat(pad(0x5c), referenceSm3(concat(pad(0x36), message))))
}

/** The whole SDK-HMAC-SM3 signature, with the reference hash and HMAC. */
const referenceSignature = (secretKey: string, sdkDate: string, canonicalRequest: string): string =>
  hex(referenceHmacSm3(utf8(secretKey), utf8(`SDK-HMAC-SM3\n${sdkDate}\n${referenceSm3Hex(canonicalRequest)}`)))

describe("the reference SM3", () => {
  it("gives the standard's examples (GB/T 32905-2016, A.1 and A.2) and the empty hash", () => {
    expect(referenceSm3Hex("abc")).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    expect(referenceSm3Hex("abcd".repeat(16))).toBe(
      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )
    expect(referenceSm3Hex("")).toBe(Signing.EMPTY_BODY_SM3)
  })
})

// ---------------------------------------------------------------------------------------------
// Node's SM3 and the signer against the reference
// ---------------------------------------------------------------------------------------------

const bytes = fc.uint8Array({ maxLength: 300 })

describe("SDK-HMAC-SM3 against the reference", () => {
  it("sm3Hex and HMAC-SM3 agree with the reference for any input", () => {
    expect(Signing.sm3Hex("")).toBe(Signing.EMPTY_BODY_SM3)
    fc.assert(
      fc.property(bytes, (data) => {
        expect(Signing.sm3Hex(data)).toBe(referenceSm3Hex(data))
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 200 }), (key, message) => {
        expect(Signing.hmacSignature(key, message, "SDK-HMAC-SM3")).toBe(
          hex(referenceHmacSm3(utf8(key), utf8(message)))
        )
      }),
      { numRuns: 300 }
    )
  })

  it("signRequest signs as the reference computes, for any path, query, body and date", () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 }).map(encodeURIComponent)
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 4 }),
        fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (segments, params, body, now, secret) => {
          const base = HttpClientRequest.make(body === undefined ? "GET" : "POST")(
            `https://dcs.example.com/${segments.join("/")}`,
            { urlParams: params }
          )
          const request = body === undefined ? base : HttpClientRequest.setBody(base, HttpBody.raw(body))
          const signed = Signer.signRequest(request, {
            credentials: { accessKeyId: "AK", secretAccessKey: Redacted.make(secret) },
            projectId: "p1",
            algorithm: "SDK-HMAC-SM3",
            now
          })
          const auth = Signing.parseAuthorization(signed.headers["authorization"] ?? "")
          expect(auth?.algorithm).toBe("SDK-HMAC-SM3")
          const url = Option.getOrThrow(HttpClientRequest.toUrl(signed))
          const sdkDate = signed.headers["x-sdk-date"] ?? ""
          const canonical = Signing.canonicalRequest({
            method: signed.method,
            path: url.pathname,
            query: Signing.parseQueryString(url.search.slice(1)),
            headers: signed.headers,
            signedHeaders: auth?.signedHeaders ?? [],
            payloadHash: referenceSm3Hex(body ?? "")
          })
          expect(auth?.signature).toBe(referenceSignature(secret, sdkDate, canonical))
          expect(signed.headers["x-sdk-content-sha256"]).toBeUndefined()
        }
      ),
      { numRuns: 200 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// The official Python SDK's vectors (huaweicloud-sdk-python-v3, huaweicloud-sdk-core
// tests/test_signer.py: test_sm3_signer1 and test_sm3_signer2)
// ---------------------------------------------------------------------------------------------

describe("the Python SDK's SM3 vectors", () => {
  it("test_sm3_signer1: GET /resources?size=1", () => {
    const signed = Signer.signRequest(
      vectorGet,
      { credentials: vectorCredentials, now: vectorTime, algorithm: "SDK-HMAC-SM3" }
    )
    expect(signed.headers["authorization"]).toBe(
      "SDK-HMAC-SM3 Access=AccessKey, SignedHeaders=host;x-sdk-date, " +
        "Signature=f8ceb623f0be123dbccd7ad95a6211470f170d1d3c4fa9facbce716d82190e21"
    )
  })

  it("test_sm3_signer2: POST /resources?size=1 with a JSON body", () => {
    const signed = Signer.signRequest(
      vectorPost,
      { credentials: vectorCredentials, now: vectorTime, algorithm: "SDK-HMAC-SM3" }
    )
    expect(signed.headers["authorization"]).toBe(
      "SDK-HMAC-SM3 Access=AccessKey, SignedHeaders=host;x-sdk-date, " +
        "Signature=6521b276625d7870e9836c041bafb2fa8d6a7ed0df045b06f1b137243c050ed8"
    )
  })

  it("the same vectors step by step, and the reference agrees", () => {
    const headers = { "host": "service.endpoint.myhuaweicloud.com", "x-sdk-date": "20200608T023900Z" }
    const input = (method: string, payloadHash: string) => ({
      method,
      path: "/resources",
      query: [["size", "1"]] as const,
      headers,
      signedHeaders: ["host", "x-sdk-date"],
      payloadHash
    })
    const get = Signing.canonicalRequest(input("GET", Signing.EMPTY_BODY_SM3))
    const post = Signing.canonicalRequest(input("POST", Signing.sm3Hex(`{"name":"test","id":1}`)))
    const sign = (canonical: string) =>
      Signing.hmacSignature(
        "SecretKey",
        Signing.stringToSign("20200608T023900Z", canonical, "SDK-HMAC-SM3"),
        "SDK-HMAC-SM3"
      )
    expect(sign(get)).toBe("f8ceb623f0be123dbccd7ad95a6211470f170d1d3c4fa9facbce716d82190e21")
    expect(sign(post)).toBe("6521b276625d7870e9836c041bafb2fa8d6a7ed0df045b06f1b137243c050ed8")
    expect(referenceSignature("SecretKey", "20200608T023900Z", get)).toBe(sign(get))
    expect(referenceSignature("SecretKey", "20200608T023900Z", post)).toBe(sign(post))
  })
})

// ---------------------------------------------------------------------------------------------
// Verifying, and the live client
// ---------------------------------------------------------------------------------------------

const verifyInput = (signed: HttpClientRequest.HttpClientRequest, body: Uint8Array): Signing.VerifyInput => {
  const url = Option.getOrThrow(HttpClientRequest.toUrl(signed))
  return {
    method: signed.method,
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headers: signed.headers,
    body,
    secretFor: (ak) => (ak === "AccessKey" ? "SecretKey" : undefined),
    now: vectorTime
  }
}

describe("verifySignature with SDK-HMAC-SM3", () => {
  it("accepts SM3 signatures, and checks the body against X-Sdk-Content-Sm3", () => {
    const body = `{"name":"test","id":1}`
    const signed = Signer.signRequest(
      HttpClientRequest.post("https://dcs.example.com/v2/p/x").pipe(
        HttpClientRequest.bodyText(body, "application/json")
      ),
      { credentials: vectorCredentials, now: vectorTime, algorithm: "SDK-HMAC-SM3", projectId: "p" }
    )
    expect(Signing.verifySignature(verifyInput(signed, utf8(body)))._tag).toBe("Valid")
    expect(Signing.verifySignature(verifyInput(signed, utf8(body + " ")))).toMatchObject({
      _tag: "Invalid",
      reason: "signature mismatch"
    })

    const claimed = { ...signed, headers: { ...signed.headers, "x-sdk-content-sm3": Signing.sm3Hex("other") } }
    expect(Signing.verifySignature(verifyInput(claimed as typeof signed, utf8(body)))).toMatchObject({
      _tag: "Invalid",
      reason: "the body does not match X-Sdk-Content-Sm3"
    })
  })

  it("a body that cannot be hashed is sent with X-Sdk-Content-Sm3: UNSIGNED-PAYLOAD, signed", () => {
    const signed = Signer.signRequest(
      HttpClientRequest.post("https://dcs.example.com/upload").pipe(
        HttpClientRequest.setBody(HttpBody.stream(Stream.make(utf8("chunk"))))
      ),
      { credentials: vectorCredentials, now: vectorTime, algorithm: "SDK-HMAC-SM3" }
    )
    expect(signed.headers["x-sdk-content-sm3"]).toBe("UNSIGNED-PAYLOAD")
    expect(Signing.parseAuthorization(signed.headers["authorization"] ?? "")?.signedHeaders).toContain(
      "x-sdk-content-sm3"
    )
    expect(Signing.verifySignature(verifyInput(signed, utf8("any bytes")))._tag).toBe("Valid")
  })
})

describe("NodeDcsClient with SDK-HMAC-SM3", () => {
  it.live("lists every task from the emulator, which verifies SM3 like the gateway", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const records = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE, pageSize: 10 }).pipe(
        Stream.runCollect,
        Effect.provide(NodeDcsClient.layer({
          endpoint: emulator.url,
          projectId: emulator.projectId,
          credentials: emulator.credentials,
          signingAlgorithm: "SDK-HMAC-SM3"
        }))
      )
      expect(records.length).toBe(25)
      const requests = yield* emulator.requests
      expect(requests.map((request) => request.status)).toEqual([200, 200, 200])
      for (const request of requests) expect(request.headers["authorization"]).toMatch(/^SDK-HMAC-SM3 Access=/)
    }).pipe(Effect.provide(DcsEmulator.layer({ instances: [{ id: INSTANCE, tasks: DcsEmulator.generateTasks(25) }] }))))

  it.live("signs the IAM project lookup with SM3 too", () =>
    Effect.gen(function*() {
      const iam = yield* iamServer({
        credentials: { "AK-SM3": "SK-SM3" },
        projects: [{ id: "p-sm3", name: "cn-north-4" }]
      })
      const id = yield* ProjectLookup.lookup({
        region: "cn-north-4",
        credentials: { accessKeyId: "AK-SM3", secretAccessKey: Redacted.make("SK-SM3") },
        iamEndpoint: iam.url,
        algorithm: "SDK-HMAC-SM3"
      })
      expect(id).toBe("p-sm3")
      expect(iam.requests[0]?.verified._tag).toBe("Valid")
      expect(iam.requests[0]?.headers["authorization"]).toMatch(/^SDK-HMAC-SM3 Access=AK-SM3, /)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.scoped))
})
