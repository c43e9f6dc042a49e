import { DcsClient } from "@effect-dcs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as NodeDcsClient from "../src/NodeDcsClient.js"
import * as ProjectLookup from "../src/ProjectLookup.js"
import { closedUrl, iamServer, tempDir, writeProfile } from "./support/cloudServers.js"
import { INSTANCE, printed, withEnv } from "./support/common.js"

const PROJECT_ID = "0b7e2a41c9d84f6e8a1b3c5d7e9f1a2b"
const REGION = "cn-north-4"
const TOKEN = "TOKEN-SECRET-project-lookup-3e9d1f"
const tasks = DcsEmulator.generateTasks(45)
const emulatorLayer = DcsEmulator.layer({ projectId: PROJECT_ID, instances: [{ id: INSTANCE, tasks }] })

/** The emulator, an IAM that knows its credentials, and a home directory with no profile. */
const setup = (projects: ReadonlyArray<{ readonly id: string; readonly name: string }>) =>
  Effect.gen(function*() {
    const emulator = yield* DcsEmulator.DcsEmulator
    const ak = emulator.credentials.accessKeyId
    const sk = Redacted.value(emulator.credentials.secretAccessKey)
    const iam = yield* iamServer({ credentials: { [ak]: sk }, projects })
    const home = yield* tempDir
    const down = yield* closedUrl
    const env = {
      CLOUD_SDK_AK: ak,
      CLOUD_SDK_SK: sk,
      DCS_ENDPOINT: emulator.url,
      DCS_REGION: REGION,
      HUAWEICLOUD_SDK_IAM_ENDPOINT: iam.url,
      HOME: home,
      HUAWEICLOUD_SDK_METADATA_ENDPOINT: down
    }
    return { emulator, iam, home, env, ak, sk }
  })

const listAll = DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE, pageSize: 10 }).pipe(
  Stream.runCollect,
  Effect.map(Chunk.size)
)

describe("project id lookup", () => {
  it.live("with DCS_REGION and no project id anywhere, the project id is looked up once and sent as X-Project-Id", () =>
    Effect.gen(function*() {
      const { emulator, env, iam } = yield* setup([
        { id: PROJECT_ID, name: REGION },
        { id: "other-region-project", name: "cn-east-3" }
      ])
      const layer = NodeDcsClient.layerConfig()
      expect(yield* listAll.pipe(Effect.provide(layer), withEnv(env))).toBe(tasks.length)

      expect(iam.requests.length).toBe(1)
      const [lookup] = iam.requests
      expect(lookup?.method).toBe("GET")
      expect(lookup?.path).toBe("/v3/projects")
      expect(lookup?.query).toBe(`name=${REGION}`)
      expect(lookup?.verified).toEqual({ _tag: "Valid", accessKeyId: env.CLOUD_SDK_AK })
      expect(lookup?.headers["x-project-id"]).toBeUndefined()

      const requests = yield* emulator.requests
      expect(requests.length).toBe(5)
      for (const request of requests) {
        expect(request.status).toBe(200)
        expect(request.path).toBe(`/v2/${PROJECT_ID}/instances/${INSTANCE}/offline/key-analysis`)
        expect(request.headers["x-project-id"]).toBe(PROJECT_ID)
      }

      // Kept per access key and region: a client built again does not ask IAM again.
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv(env)
      )
      expect(iam.requests.length).toBe(1)
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("signs the IAM request with the security token of temporary credentials", () =>
    Effect.gen(function*() {
      const { env, iam } = yield* setup([{ id: PROJECT_ID, name: REGION }])
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv({ ...env, CLOUD_SDK_SECURITY_TOKEN: TOKEN })
      )
      expect(iam.requests.length).toBe(1)
      expect(iam.requests[0]?.headers["x-security-token"]).toBe(TOKEN)
      expect(iam.requests[0]?.headers["authorization"]).toMatch(/SignedHeaders=host;x-sdk-date;x-security-token,/)
      expect(iam.requests[0]?.verified._tag).toBe("Valid")
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("no project of that name, or several, fails the layer with a ProjectLookupError naming the region", () =>
    Effect.gen(function*() {
      const { env, iam } = yield* setup([{ id: "east", name: "cn-east-3" }])
      const attempt = DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv(env),
        Effect.flip
      )
      const none = yield* attempt
      expect(none._tag).toBe("ProjectLookupError")
      expect(none.message).toBe(
        `Could not find the project id of region "${REGION}" in IAM at ${iam.url}/v3/projects: ` +
          `IAM has no project named "${REGION}" for these credentials`
      )

      iam.projects = [{ id: "p-1", name: REGION }, { id: "p-2", name: REGION }]
      const several = yield* attempt
      expect(several._tag).toBe("ProjectLookupError")
      expect(several.message).toMatch(/region "cn-north-4".*IAM has 2 projects named "cn-north-4" \(p-1, p-2\)/)
      // Never a project created: only lookups were sent.
      expect(iam.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        "GET /v3/projects",
        "GET /v3/projects"
      ])
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("an IAM that rejects the credentials gives its status and code, and no secret", () =>
    Effect.gen(function*() {
      const { env, iam, sk } = yield* setup([{ id: PROJECT_ID, name: REGION }])
      const error = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv({ ...env, CLOUD_SDK_SK: "not-the-secret", CLOUD_SDK_SECURITY_TOKEN: TOKEN }),
        Effect.flip
      )
      expect(iam.requests[0]?.verified._tag).toBe("Invalid")
      expect(error._tag).toBe("ProjectLookupError")
      if (error._tag !== "ProjectLookupError") return
      expect(error.status).toBe(401)
      expect(error.message).toMatch(/IAM answered HTTP 401 \(APIGW\.0301: Incorrect IAM authentication information/)
      // The gateway echoed the token: it is masked.
      expect(error.message).toContain("x-security-token:<redacted>")
      expect(printed(error)).not.toContain(TOKEN)
      expect(printed(error)).not.toContain(sk)
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("a project_id in the profile file is used without asking IAM; its iam_endpoint is used to ask", () =>
    Effect.gen(function*() {
      const { ak, emulator, env, home, iam, sk } = yield* setup([{ id: PROJECT_ID, name: REGION }])
      const { CLOUD_SDK_AK: _ak, CLOUD_SDK_SK: _sk, HUAWEICLOUD_SDK_IAM_ENDPOINT: _iam, ...noKeys } = env
      yield* writeProfile(home, `[basic]\nak = ${ak}\nsk = ${sk}\nproject_id = ${PROJECT_ID}\n`)
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv(noKeys)
      )
      expect(iam.requests.length).toBe(0)

      yield* writeProfile(home, `[basic]\nak = ${ak}\nsk = ${sk}\niam_endpoint = ${iam.url}\n`)
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        withEnv({ ...noKeys, DCS_REGION: "cn-north-4" })
      )
      expect(iam.requests.length).toBe(1)
      const requests = yield* emulator.requests
      expect(requests.map((request) => request.headers["x-project-id"])).toEqual([PROJECT_ID, PROJECT_ID])
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))

  it.live("NodeDcsClient.layer takes the IAM endpoint as an option, before HUAWEICLOUD_SDK_IAM_ENDPOINT", () =>
    Effect.gen(function*() {
      const { emulator, iam } = yield* setup([{ id: PROJECT_ID, name: "ap-southeast-1" }])
      const down = yield* closedUrl
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layer({
          endpoint: emulator.url,
          region: "ap-southeast-1",
          credentials: emulator.credentials,
          iamEndpoint: iam.url
        })),
        withEnv({ HUAWEICLOUD_SDK_IAM_ENDPOINT: down })
      )
      expect(iam.requests.map((request) => request.query)).toEqual(["name=ap-southeast-1"])
    }).pipe(Effect.provide(emulatorLayer), Effect.scoped))
})

describe("ProjectLookup.lookup", () => {
  it.live("keeps each id per access key and region", () =>
    Effect.gen(function*() {
      const iam = yield* iamServer({
        credentials: { "AK-1": "SK-1", "AK-2": "SK-2" },
        projects: [{ id: "p-north", name: "cn-north-4" }, { id: "p-east", name: "cn-east-3" }]
      })
      const lookup = (ak: string, region: string) =>
        ProjectLookup.lookup({
          region,
          credentials: { accessKeyId: ak, secretAccessKey: Redacted.make(ak.replace("AK", "SK")) },
          iamEndpoint: iam.url
        })
      expect(yield* lookup("AK-1", "cn-north-4")).toBe("p-north")
      expect(yield* lookup("AK-1", "cn-north-4")).toBe("p-north")
      expect(yield* lookup("AK-1", "cn-east-3")).toBe("p-east")
      expect(yield* lookup("AK-2", "cn-north-4")).toBe("p-north")
      expect(iam.requests.map((request) => `${request.headers["authorization"]?.split(",")[0]} ${request.query}`))
        .toEqual([
          "SDK-HMAC-SHA256 Access=AK-1 name=cn-north-4",
          "SDK-HMAC-SHA256 Access=AK-1 name=cn-east-3",
          "SDK-HMAC-SHA256 Access=AK-2 name=cn-north-4"
        ])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.scoped))

  it.live("defaults to the region's IAM endpoint, and rejects an endpoint that is not an http(s) URL", () =>
    Effect.gen(function*() {
      expect(ProjectLookup.regionIamEndpoint("cn-north-4")).toBe("https://iam.cn-north-4.myhuaweicloud.com")
      const error = yield* ProjectLookup.lookup({
        region: "cn-north-4",
        credentials: { accessKeyId: "AK", secretAccessKey: Redacted.make("SK") }
      }).pipe(withEnv({ HUAWEICLOUD_SDK_IAM_ENDPOINT: "ftp://iam.example.com" }), Effect.flip)
      expect(error.message).toMatch(/HUAWEICLOUD_SDK_IAM_ENDPOINT must be an http\(s\) URL/)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.live("a region that is not a region name never reaches a host name", () =>
    Effect.gen(function*() {
      const error = yield* ProjectLookup.lookup({
        region: "evil.example/",
        credentials: { accessKeyId: "AK", secretAccessKey: Redacted.make("SK") }
      }).pipe(withEnv({}), Effect.flip)
      expect(error.message).toMatch(/the region is not a region name such as cn-north-4/)
      expect(error.iamEndpoint).toBeUndefined()

      const call = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Effect.provide(NodeDcsClient.layer({
          region: "cn-north-4.evil.example#",
          credentials: { accessKeyId: "AK", secretAccessKey: Redacted.make("SK") }
        })),
        Effect.flip
      )
      expect(call).toMatchObject({ _tag: "DcsInvalidRequest", field: "region" })
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.live("an unreachable IAM fails the lookup", () =>
    Effect.gen(function*() {
      const down = yield* closedUrl
      const error = yield* ProjectLookup.lookup({
        region: "cn-north-4",
        credentials: { accessKeyId: "AK", secretAccessKey: Redacted.make("SK") },
        iamEndpoint: down
      }).pipe(Effect.flip)
      expect(error.message).toMatch(
        /^Could not find the project id of region "cn-north-4" in IAM at .*: the request failed/
      )
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("NodeDcsClient.layer overloads", () => {
  it("a layer with a project id cannot fail; one without may fail with a lookup error", () => {
    const credentials = { accessKeyId: "AK", secretAccessKey: Redacted.make("SK") }
    const sure: Layer.Layer<DcsClient.DcsClient> = NodeDcsClient.layer({ region: REGION, projectId: "p", credentials })
    const unsure: Layer.Layer<DcsClient.DcsClient, unknown> = NodeDcsClient.layer({ region: REGION, credentials })
    expect(Layer.isLayer(sure) && Layer.isLayer(unsure)).toBe(true)
  })
})
