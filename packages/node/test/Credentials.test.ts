import { DcsClient } from "@effect-dcs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Either, Fiber, Layer, Redacted, Stream, TestClock } from "effect"
import { inspect } from "node:util"
import * as Credentials from "../src/Credentials.js"
import * as DcsEmulator from "../src/DcsEmulator.js"
import { parseIni } from "../src/internal/credentialsIni.js"
import { verifySignature } from "../src/internal/signing.js"
import * as NodeDcsClient from "../src/NodeDcsClient.js"
import * as Signer from "../src/Signer.js"
import {
  closedUrl,
  expiresAt,
  metadataServer,
  tempDir,
  type TemporaryCredential,
  writeProfile
} from "./support/cloudServers.js"
import { eventually, printed, settle, withEnv } from "./support/common.js"
import { emulatorLayer as emulatorLayerWith, INSTANCE, TASK_IDS } from "./support/harness.js"

const SK = "SK-SECRET-credentials-test-4b1d0c"
const TOKEN = "TOKEN-SECRET-credentials-test-77e0a9"
const HOUR = 3_600_000

/** Builds the provider's service (in the test's scope, on undici) and resolves once. */
const resolveOnce = (provider: Credentials.Provider) =>
  Effect.flatMap(provider.make, (service) => service.resolve).pipe(
    Effect.scoped,
    Effect.provide(NodeHttpClient.layerUndici)
  )

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

const temporary = (name: string, expiresAtMillis: number): TemporaryCredential => ({
  access: `AK-${name}`,
  secret: `${SK}-${name}`,
  securitytoken: `${TOKEN}-${name}`,
  expires_at: expiresAt(expiresAtMillis)
})

// ---------------------------------------------------------------------------------------------
// The INI reader
// ---------------------------------------------------------------------------------------------

describe("parseIni", () => {
  it("reads sections, both delimiters, comments, a BOM and CRLF; keys are case-insensitive", () => {
    const text = "\uFEFF# the profile\r\n[basic]\r\nAK = abc\r\n; a comment\r\nsk: d=e:f \r\n\r\n[global]\nak=x\n"
    const parsed = parseIni(text)
    expect(Either.isRight(parsed)).toBe(true)
    const sections = Either.getOrThrow(parsed)
    expect(sections.get("basic")?.get("ak")).toBe("abc")
    expect(sections.get("basic")?.get("sk")).toBe("d=e:f")
    expect(sections.get("global")?.get("ak")).toBe("x")
  })

  it("rejects what it cannot read with the line number, never the line's text", () => {
    const cases: ReadonlyArray<readonly [string, number, RegExp]> = [
      [`[basic]\nak = a\n${SK}\n`, 3, /expected "\[section\]", "key = value" or a comment/],
      [`ak = ${SK}\n[basic]\n`, 1, /before any \[section\]/],
      [`[basic]\nsk = ${SK}\nsk = ${SK}\n`, 3, /key "sk" appears twice in section \[basic\]/],
      [`[basic]\n[basic]\n`, 2, /section \[basic\] appears twice/],
      [`[basic\nsk = ${SK}\n`, 1, /must end with "\]"/],
      [`[basic]\n = ${SK}\n`, 2, /the key is empty/],
      [`[basic]\n${SK} = 1\n${SK} = 2\n`, 3, /^a key appears twice/]
    ]
    for (const [text, line, reason] of cases) {
      const parsed = parseIni(text)
      expect(Either.isLeft(parsed)).toBe(true)
      if (Either.isLeft(parsed)) {
        expect(parsed.left.line).toBe(line)
        expect(parsed.left.reason).toMatch(reason)
        expect(parsed.left.reason).not.toContain(SK)
      }
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

describe("Credentials.environment", () => {
  it.effect("reads CLOUD_SDK_* first, then HUAWEICLOUD_SDK_*, with the token and project id", () =>
    Effect.gen(function*() {
      const both = yield* resolveOnce(Credentials.environment()).pipe(withEnv({
        CLOUD_SDK_AK: "ak-cloud",
        CLOUD_SDK_SK: SK,
        HUAWEICLOUD_SDK_AK: "ak-huawei",
        HUAWEICLOUD_SDK_SK: "other",
        HUAWEICLOUD_SDK_SECURITY_TOKEN: TOKEN,
        HUAWEICLOUD_SDK_PROJECT_ID: "p-env"
      }))
      expect(both.accessKeyId).toBe("ak-cloud")
      expect(Redacted.value(both.secretAccessKey)).toBe(SK)
      expect(both.securityToken && Redacted.value(both.securityToken)).toBe(TOKEN)
      expect(both.projectId).toBe("p-env")
      expect(both.expiresAt).toBeUndefined()
      expect(both.source).toBe("environment")

      const fallback = yield* resolveOnce(Credentials.environment()).pipe(withEnv({
        CLOUD_SDK_AK: "",
        HUAWEICLOUD_SDK_AK: "ak-huawei",
        HUAWEICLOUD_SDK_SK: SK
      }))
      expect(fallback.accessKeyId).toBe("ak-huawei")
      expect(fallback.securityToken).toBeUndefined()
    }))

  it.effect("is Missing with no keys, Invalid with half a pair, naming the variables and no secret", () =>
    Effect.gen(function*() {
      const none = yield* failure(resolveOnce(Credentials.environment()).pipe(withEnv({})))
      expect(none.kind).toBe("Missing")
      expect(none.message).toMatch(/CLOUD_SDK_AK[\s\S]*HUAWEICLOUD_SDK_AK[\s\S]*CLOUD_SDK_SK[\s\S]*HUAWEICLOUD_SDK_SK/)

      const noSk = yield* failure(resolveOnce(Credentials.environment()).pipe(withEnv({ CLOUD_SDK_AK: "ak" })))
      expect(noSk.kind).toBe("Invalid")
      expect(noSk.message).toMatch(/CLOUD_SDK_AK is set but neither CLOUD_SDK_SK nor HUAWEICLOUD_SDK_SK is/)

      const noAk = yield* failure(resolveOnce(Credentials.environment()).pipe(withEnv({ HUAWEICLOUD_SDK_SK: SK })))
      expect(noAk.kind).toBe("Invalid")
      expect(noAk.message).toMatch(/HUAWEICLOUD_SDK_SK is set but neither CLOUD_SDK_AK nor HUAWEICLOUD_SDK_AK is/)
      expect(printed(noAk)).not.toContain(SK)
    }))
})

// ---------------------------------------------------------------------------------------------
// Profile file
// ---------------------------------------------------------------------------------------------

const profileText = (extra = "") => `# written by a test\n[basic]\nak = AK-PROFILE\nsk = ${SK}\n${extra}`

describe("Credentials.profile", () => {
  it.scoped("reads [basic] of ~/.huaweicloud/credentials in HOME", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const file = yield* writeProfile(
        home,
        profileText(
          `security_token = ${TOKEN}\nproject_id = p-profile\niam_endpoint = https://iam.example.com\n\n[global]\nak = X\n`
        )
      )
      const resolved = yield* resolveOnce(Credentials.profile()).pipe(withEnv({ HOME: home }))
      expect(resolved.accessKeyId).toBe("AK-PROFILE")
      expect(Redacted.value(resolved.secretAccessKey)).toBe(SK)
      expect(resolved.securityToken && Redacted.value(resolved.securityToken)).toBe(TOKEN)
      expect(resolved.projectId).toBe("p-profile")
      expect(resolved.iamEndpoint).toBe("https://iam.example.com")
      expect(resolved.source).toBe(`profile ${file}`)
    }))

  it.scoped("HUAWEICLOUD_SDK_CREDENTIALS_FILE wins over HOME, and the path option over both", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const other = yield* tempDir
      yield* writeProfile(home, profileText())
      const named = yield* writeProfile(other, "[basic]\nak = AK-NAMED\nsk = s\n")
      const fromEnv = yield* resolveOnce(Credentials.profile()).pipe(
        withEnv({ HOME: home, HUAWEICLOUD_SDK_CREDENTIALS_FILE: named })
      )
      expect(fromEnv.accessKeyId).toBe("AK-NAMED")
      const fromOption = yield* resolveOnce(Credentials.profile({ path: `${home}/.huaweicloud/credentials` })).pipe(
        withEnv({ HOME: other, HUAWEICLOUD_SDK_CREDENTIALS_FILE: named })
      )
      expect(fromOption.accessKeyId).toBe("AK-PROFILE")
    }))

  it.scoped("a missing default file is Missing; a missing named file is Invalid", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const absent = yield* failure(resolveOnce(Credentials.profile()).pipe(withEnv({ HOME: home })))
      expect(absent.kind).toBe("Missing")
      expect(absent.message).toContain(`${home}/.huaweicloud/credentials does not exist`)
      const named = yield* failure(
        resolveOnce(Credentials.profile()).pipe(withEnv({ HUAWEICLOUD_SDK_CREDENTIALS_FILE: `${home}/nope` }))
      )
      expect(named.kind).toBe("Invalid")
      expect(named.message).toContain(`${home}/nope does not exist`)
    }))

  it.scoped("a malformed file is Invalid, naming the file and the line, never a secret", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const file = yield* writeProfile(home, `[basic]\nak = AK-PROFILE\n${SK}\n`)
      const error = yield* failure(resolveOnce(Credentials.profile()).pipe(withEnv({ HOME: home })))
      expect(error._tag).toBe("CredentialsError")
      expect(error.kind).toBe("Invalid")
      expect(error.message).toBe(
        `No usable credentials from profile: ${file}, line 3: expected "[section]", "key = value" or a comment`
      )
      expect(printed(error)).not.toContain(SK)
    }))

  it.scoped("no [basic] or no keys is Missing; half a pair is Invalid", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const file = yield* writeProfile(home, "[global]\nak = A\nsk = B\n")
      const run = resolveOnce(Credentials.profile()).pipe(withEnv({ HOME: home }), failure)
      expect((yield* run).message).toContain(`${file} has no [basic] section`)
      yield* writeProfile(home, "[basic]\nproject_id = p\n")
      expect(yield* run).toMatchObject({ kind: "Missing" })
      yield* writeProfile(home, `[basic]\nsk = ${SK}\n`)
      const half = yield* run
      expect(half.kind).toBe("Invalid")
      expect(half.message).toContain("[basic] has sk but no ak")
      expect(printed(half)).not.toContain(SK)
    }))
})

// ---------------------------------------------------------------------------------------------
// ECS metadata
// ---------------------------------------------------------------------------------------------

/** A running metadata provider on a loopback metadata server (in the test's scope). */
const metadataService = (server: { readonly url: string }, options: Credentials.MetadataOptions = {}) =>
  Credentials.metadata({ endpoint: server.url, ...options }).make

describe("Credentials.metadata", () => {
  it.scoped("fetches a session token, then the security key, on first use only, and keeps them", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      const service = yield* metadataService(server)
      yield* settle
      expect(server.tokenCalls.length).toBe(0) // lazy: nothing before the first use

      const first = yield* service.resolve
      expect(first.accessKeyId).toBe("AK-A")
      expect(Redacted.value(first.secretAccessKey)).toBe(`${SK}-A`)
      expect(first.securityToken && Redacted.value(first.securityToken)).toBe(`${TOKEN}-A`)
      expect(first.expiresAt).toBe(24 * HOUR)
      expect(first.source).toBe(`ECS metadata ${server.url}`)
      expect(server.tokenCalls).toEqual([{ ttl: "21600" }])
      expect(server.keyCalls).toEqual([{ token: "session-token-1" }])

      yield* service.resolve
      yield* service.resolve
      expect(server.keyCalls.length).toBe(1)
      expect(inspect(first, { depth: 10 })).not.toContain(SK)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("reads its endpoint from HUAWEICLOUD_SDK_METADATA_ENDPOINT", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      const resolved = yield* resolveOnce(Credentials.metadata()).pipe(
        withEnv({ HUAWEICLOUD_SDK_METADATA_ENDPOINT: `${server.url}/` })
      )
      expect(resolved.accessKeyId).toBe("AK-A")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("refreshes in the background before expiry, waits when expired, never answers expired credentials", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      const service = yield* metadataService(server)
      expect((yield* service.resolve).accessKeyId).toBe("AK-A")

      // 1 hour left: more than 40 minutes, nothing to do.
      yield* TestClock.adjust("23 hours")
      expect((yield* service.resolve).accessKeyId).toBe("AK-A")
      yield* settle
      expect(server.keyCalls.length).toBe(1)

      // 35 minutes left: the request goes on with A, and B is fetched in the background.
      server.answer = temporary("B", 48 * HOUR)
      yield* TestClock.adjust("25 minutes")
      expect((yield* service.resolve).accessKeyId).toBe("AK-A")
      const b = yield* eventually(service.resolve, (c) => c.accessKeyId === "AK-B")
      expect(b.expiresAt).toBe(48 * HOUR)
      expect(server.keyCalls.length).toBe(2)

      // 30 seconds left of B: too little to use; the request waits for C.
      server.answer = temporary("C", 72 * HOUR)
      yield* TestClock.setTime(48 * HOUR - 30_000)
      expect((yield* service.resolve).accessKeyId).toBe("AK-C")
      expect(server.keyCalls.length).toBe(3)

      // C expired and the service fails: an error, never C.
      server.answer = { status: 503, body: "{}" }
      yield* TestClock.setTime(72 * HOUR + 1)
      const error = yield* failure(service.resolve)
      expect(error.message).toMatch(
        /ECS metadata: GET http:\/\/127\.0\.0\.1:\d+\/openstack\/latest\/securitykey answered HTTP 503/
      )
      expect(server.keyCalls.length).toBe(4)

      // The next request tries again.
      server.answer = temporary("D", 96 * HOUR)
      expect((yield* service.resolve).accessKeyId).toBe("AK-D")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("a burst of requests during a refresh triggers exactly one fetch", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 2 * HOUR))
      const service = yield* metadataService(server)

      // The first use: 25 requests, one fetch.
      server.hold()
      const firstBurst = yield* Effect.fork(Effect.all(Array.from({ length: 25 }, () => service.resolve), {
        concurrency: "unbounded"
      }))
      yield* eventually(Effect.sync(() => server.keyCalls.length), (n) => n === 1)
      yield* settle
      server.release()
      const firsts = yield* Fiber.join(firstBurst)
      expect(new Set(firsts.map((c) => c.accessKeyId))).toEqual(new Set(["AK-A"]))
      expect(server.tokenCalls.length).toBe(1)
      expect(server.keyCalls.length).toBe(1)

      // In the refresh window: every request goes on with A, one background fetch.
      server.answer = temporary("B", 4 * HOUR)
      server.hold()
      yield* TestClock.adjust("90 minutes")
      const windowed = yield* Effect.all(Array.from({ length: 25 }, () => service.resolve), {
        concurrency: "unbounded"
      })
      expect(new Set(windowed.map((c) => c.accessKeyId))).toEqual(new Set(["AK-A"]))
      yield* eventually(Effect.sync(() => server.keyCalls.length), (n) => n === 2)
      yield* settle
      expect(server.keyCalls.length).toBe(2)
      server.release()
      yield* eventually(service.resolve, (c) => c.accessKeyId === "AK-B")

      // Expired: 25 requests wait for one fetch.
      server.answer = temporary("C", 10 * HOUR)
      server.hold()
      yield* TestClock.setTime(4 * HOUR)
      const expiredBurst = yield* Effect.fork(Effect.all(Array.from({ length: 25 }, () => service.resolve), {
        concurrency: "unbounded"
      }))
      yield* eventually(Effect.sync(() => server.keyCalls.length), (n) => n === 3)
      yield* settle
      expect(server.keyCalls.length).toBe(3)
      server.release()
      const afterExpiry = yield* Fiber.join(expiredBurst)
      expect(new Set(afterExpiry.map((c) => c.accessKeyId))).toEqual(new Set(["AK-C"]))
      expect(server.tokenCalls.length).toBe(3)
      expect(server.keyCalls.length).toBe(3)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("each call times out after 3 seconds of the Clock", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      const service = yield* metadataService(server)
      server.hold()
      const attempt = yield* Effect.fork(Effect.flip(service.resolve))
      yield* eventually(Effect.sync(() => server.keyCalls.length), (n) => n === 1)
      yield* TestClock.adjust("3 seconds")
      const error = yield* Fiber.join(attempt)
      expect(error.kind).toBe("Missing")
      expect(error.message).toMatch(/securitykey had no answer within 3s/)
      server.release()
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("an answer that is not the documented JSON is Invalid and quotes nothing of it", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer({
        status: 200,
        body: JSON.stringify({ credential: { access: "AK", secret: SK, securitytoken: TOKEN } })
      })
      const error = yield* failure(Effect.flatMap(metadataService(server), (service) => service.resolve))
      expect(error.kind).toBe("Invalid")
      expect(error.message).toMatch(/the answer's credential lacks expires_at/)
      expect(printed(error)).not.toContain(SK)
      expect(printed(error)).not.toContain(TOKEN)

      server.answer = temporary("OLD", -HOUR)
      const expired = yield* failure(Effect.flatMap(metadataService(server), (service) => service.resolve))
      expect(expired.message).toMatch(/answered credentials that expire at 1969-12-31T23:00:00.000000Z/)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.effect("an unreachable service is Missing", () =>
    Effect.gen(function*() {
      const url = yield* closedUrl
      const error = yield* failure(resolveOnce(Credentials.metadata({ endpoint: url })))
      expect(error.kind).toBe("Missing")
      expect(error.message).toContain(`PUT ${url}/meta-data/latest/api/token failed`)
    }))
})

// ---------------------------------------------------------------------------------------------
// The chain
// ---------------------------------------------------------------------------------------------

describe("Credentials.defaultChain", () => {
  it.scoped("tries the environment, then the profile file, then the metadata service", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      yield* writeProfile(home, profileText())
      const server = yield* metadataServer(temporary("META", 24 * HOUR))
      const env = { HOME: home, HUAWEICLOUD_SDK_METADATA_ENDPOINT: server.url }

      const fromEnv = yield* resolveOnce(Credentials.defaultChain()).pipe(
        withEnv({ ...env, CLOUD_SDK_AK: "AK-ENV", CLOUD_SDK_SK: SK })
      )
      expect(fromEnv.source).toBe("environment")
      const fromProfile = yield* resolveOnce(Credentials.defaultChain()).pipe(withEnv(env))
      expect(fromProfile.accessKeyId).toBe("AK-PROFILE")
      expect(server.keyCalls.length).toBe(0)

      const emptyHome = yield* tempDir
      const fromMetadata = yield* resolveOnce(Credentials.defaultChain()).pipe(withEnv({ ...env, HOME: emptyHome }))
      expect(fromMetadata.accessKeyId).toBe("AK-META")
      expect(server.keyCalls.length).toBe(1)
    }))

  it.scoped("a metadata service that is down passes to the next provider", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      yield* writeProfile(home, profileText())
      const down = yield* closedUrl
      const resolved = yield* resolveOnce(
        Credentials.chain(Credentials.metadata({ endpoint: down }), Credentials.profile())
      ).pipe(withEnv({ HOME: home }))
      expect(resolved.accessKeyId).toBe("AK-PROFILE")
    }))

  it.scoped("when every provider fails, the error says what each lacked, and no secret", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const down = yield* closedUrl
      const error = yield* failure(
        resolveOnce(Credentials.defaultChain()).pipe(withEnv({ HOME: home, HUAWEICLOUD_SDK_METADATA_ENDPOINT: down }))
      )
      expect(error.kind).toBe("Missing")
      expect(error.provider).toBe("chain (environment, profile, ECS metadata)")
      expect(error.message).toMatch(
        /^No usable credentials from chain \(environment, profile, ECS metadata\): none has any\. environment: none of CLOUD_SDK_AK, HUAWEICLOUD_SDK_AK, CLOUD_SDK_SK, HUAWEICLOUD_SDK_SK is set; profile: .*\/\.huaweicloud\/credentials does not exist; ECS metadata: PUT http:\/\/127\.0\.0\.1:\d+\/meta-data\/latest\/api\/token failed: /
      )
    }))

  it.scoped("credentials that are there but unusable stop the chain", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      yield* writeProfile(home, profileText())
      const error = yield* failure(
        resolveOnce(Credentials.defaultChain()).pipe(withEnv({ HOME: home, CLOUD_SDK_AK: "AK-ENV" }))
      )
      expect(error.provider).toBe("environment")
      expect(error.message).toMatch(/CLOUD_SDK_AK is set but neither CLOUD_SDK_SK nor HUAWEICLOUD_SDK_SK is/)
      yield* writeProfile(home, `[basic]\nak = A\nsk = ${SK}\nbroken line\n`)
      const malformed = yield* failure(resolveOnce(Credentials.defaultChain()).pipe(withEnv({ HOME: home })))
      expect(malformed.message).toMatch(/credentials, line 4: expected/)
      expect(printed(malformed)).not.toContain(SK)
    }))

  it.scoped("keeps the provider that answered: later requests go to it alone", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const server = yield* metadataServer(temporary("META", 24 * HOUR))
      const service = yield* Credentials.defaultChain().make
      const env = withEnv({ HOME: home, HUAWEICLOUD_SDK_METADATA_ENDPOINT: server.url })
      expect((yield* service.resolve.pipe(env)).accessKeyId).toBe("AK-META")
      // A profile appears: the chain has chosen already.
      yield* writeProfile(home, profileText())
      expect((yield* service.resolve.pipe(env)).accessKeyId).toBe("AK-META")
      expect(server.keyCalls.length).toBe(1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

// ---------------------------------------------------------------------------------------------
// Signing and the live client
// ---------------------------------------------------------------------------------------------

const emulatorLayer = emulatorLayerWith()

describe("Signer.layer on a provider", () => {
  it.scoped("signs with the provider's credentials, security token included", () =>
    Effect.gen(function*() {
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      const signer = yield* Layer.build(
        Signer.layer({ credentials: Credentials.metadata({ endpoint: server.url }) }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      ).pipe(Effect.map(Context.get(Signer.Signer)))
      yield* TestClock.setTime(HOUR)
      const signed = yield* signer.sign(HttpClientRequest.get("https://dcs.example.com/v2/p/instances"))
      expect(signed.headers["x-security-token"]).toBe(`${TOKEN}-A`)
      expect(signed.headers["authorization"]).toMatch(
        /^SDK-HMAC-SHA256 Access=AK-A, SignedHeaders=host;x-sdk-date;x-security-token, /
      )
      const url = new URL(signed.url)
      const verified = verifySignature({
        method: "GET",
        path: url.pathname,
        rawQuery: "",
        headers: signed.headers,
        body: new Uint8Array(),
        secretFor: (ak) => (ak === "AK-A" ? `${SK}-A` : undefined),
        now: HOUR
      })
      expect(verified._tag).toBe("Valid")
    }))

  it.scoped("fails with the provider's CredentialsError when it has none", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(Signer.Signer, (signer) =>
        signer.sign(HttpClientRequest.get("https://dcs.example.com/"))).pipe(
          Effect.provide(Signer.layer({ credentials: Credentials.environment() })),
          Effect.provide(NodeHttpClient.layerUndici),
          withEnv({}),
          Effect.flip
        )
      expect(error._tag).toBe("CredentialsError")
    }))
})

describe("NodeDcsClient with a credentials provider", () => {
  it.live(
    "layerConfig lists tasks with a profile file in the home directory and no CLOUD_SDK_* / HUAWEICLOUD_SDK_* keys",
    () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const home = yield* tempDir
        yield* writeProfile(
          home,
          `[basic]\nak = ${emulator.credentials.accessKeyId}\nsk = ${
            Redacted.value(emulator.credentials.secretAccessKey)
          }\nproject_id = ${emulator.projectId}\n`
        )
        const down = yield* closedUrl
        const records = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE, pageSize: 20 }).pipe(
          Stream.runCollect,
          Effect.provide(NodeDcsClient.layerConfig()),
          withEnv({ HOME: home, DCS_ENDPOINT: emulator.url, HUAWEICLOUD_SDK_METADATA_ENDPOINT: down })
        )
        expect(Chunk.toReadonlyArray(records).map((record) => record.id)).toEqual(TASK_IDS)
        const requests = yield* emulator.requests
        expect(requests.map((request) => request.status)).toEqual([200, 200, 200])
        for (const request of requests) expect(request.headers["x-project-id"]).toBe(emulator.projectId)
      }).pipe(Effect.provide(emulatorLayer), Effect.scoped)
  )

  it.live("signs every request with the metadata service's temporary credentials and token", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const server = yield* metadataServer({
        access: emulator.credentials.accessKeyId,
        secret: Redacted.value(emulator.credentials.secretAccessKey),
        securitytoken: TOKEN,
        expires_at: expiresAt(Date.now() + 6 * HOUR)
      })
      const layer = NodeDcsClient.layer({
        endpoint: emulator.url,
        projectId: emulator.projectId,
        credentials: Credentials.metadata({ endpoint: server.url })
      })
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, limit: 5 }).pipe(
        Effect.zipLeft(DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, offset: 5, limit: 5 })),
        Effect.provide(layer)
      )
      expect(page.records.length).toBe(5)
      expect(server.keyCalls.length).toBe(1)
      const requests = yield* emulator.requests
      expect(requests.map((request) => request.status)).toEqual([200, 200])
      for (const request of requests) {
        expect(request.headers["x-security-token"]).toBe("<redacted>")
        expect(request.headers["authorization"]).toMatch(/SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,/)
      }
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("a request without usable credentials fails with a DcsTransportError (Credentials), sends nothing, no secret", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const server = yield* metadataServer({ status: 404, body: "{}" })
      const layer = NodeDcsClient.layer({
        endpoint: emulator.url,
        projectId: emulator.projectId,
        credentials: Credentials.chain(Credentials.environment(), Credentials.metadata({ endpoint: server.url }))
      })
      const error = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(layer),
        withEnv({ HUAWEICLOUD_SDK_SECURITY_TOKEN: TOKEN }),
        Effect.flip
      )
      expect(error._tag).toBe("DcsTransportError")
      if (error._tag !== "DcsTransportError") return
      expect(error.reason).toBe("Credentials")
      expect(error.message).toMatch(
        /^Credentials error on GET .*: No usable credentials from chain \(environment, ECS metadata\): none has any\. environment: .*; ECS metadata: GET .*securitykey answered HTTP 404$/
      )
      expect(printed(error)).not.toContain(TOKEN)
      // Not retried (a setup problem), and nothing reached the service.
      expect(server.keyCalls.length).toBe(1)
      expect(yield* emulator.requests).toEqual([])
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("with a provider and a project id, building the layer fetches nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const server = yield* metadataServer(temporary("A", 24 * HOUR))
      yield* Layer.build(NodeDcsClient.layer({
        endpoint: emulator.url,
        projectId: emulator.projectId,
        credentials: Credentials.metadata({ endpoint: server.url })
      }))
      yield* settle
      expect(server.tokenCalls.length).toBe(0)
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))
})
