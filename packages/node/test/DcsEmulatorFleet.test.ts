/**
 * The emulator's fleet: the instances list and its filters, logical nodes, the seeded fleet,
 * per-shard analyses and throttling, through real signed HTTP requests on loopback.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as Signer from "../src/Signer.js"

type Emulator = DcsEmulator.DcsEmulator["Type"]

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly json: any
}

/** A request through real HTTP, signed at the Clock's time (the TestClock's, under it). */
const call = (
  emulator: Emulator,
  path: string,
  options: {
    readonly method?: "GET" | "POST"
    readonly params?: Readonly<Record<string, string | ReadonlyArray<string>>>
    readonly body?: unknown
  } = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const bare = HttpClientRequest.make(options.method ?? "GET")(emulator.url + path, {
      urlParams: options.params ?? {}
    })
    const request = options.body === undefined
      ? bare
      : HttpClientRequest.bodyText(bare, JSON.stringify(options.body), "application/json")
    const signed = Signer.signRequest(request, {
      credentials: emulator.credentials,
      projectId: emulator.projectId,
      now: yield* Clock.currentTimeMillis
    })
    const response = yield* client.execute(signed)
    const text = yield* response.text
    const answer: Answer = { status: response.status, headers: response.headers, json: JSON.parse(text) }
    return answer
  }).pipe(Effect.scoped)

const instancesPath = (emulator: Emulator) => `/v2/${emulator.projectId}/instances`
const nodesPath = (emulator: Emulator, instanceId: string) => `${instancesPath(emulator)}/${instanceId}/logical-nodes`
const analysisPath = (emulator: Emulator, instanceId: string) =>
  `${instancesPath(emulator)}/${instanceId}/offline/key-analysis`

const expectError = (answer: Answer, status: number, code: string) => {
  expect(answer.status).toBe(status)
  expect(answer.json).toMatchObject({ error_code: code, error_ext_msg: null })
  expect(typeof answer.json.error_msg).toBe("string")
}

const fleet = DcsEmulator.generateFleet({ seed: 1, size: 40 })
const at = (index: number) => fleet[index]!

/** The emulator with `options` and an HTTP client, under a fresh TestClock (which starts at 0). */
const onTestClock =
  (options: DcsEmulator.Options = { instances: fleet }) =>
  <A, E>(effect: Effect.Effect<A, E, DcsEmulator.DcsEmulator | HttpClient.HttpClient>) =>
    effect.pipe(
      Effect.provide(Layer.merge(DcsEmulator.layer(options), NodeHttpClient.layer)),
      Effect.provide(TestContext.TestContext)
    )

const shardsOf = (
  instance: DcsEmulator.Instance
) => [...new Set(instance.nodes!.filter((node) => node.role !== "proxy").map((node) => node.groupName))]

const biggestKey = (report: DcsEmulator.KeyAnalysisReport | undefined) => report!.largest_keys[0]!

describe("DcsEmulator fleet", () => {
  describe("generateFleet", () => {
    it("is deterministic; a smaller fleet of a seed is a prefix of a bigger one", () => {
      expect(DcsEmulator.generateFleet({ seed: 1, size: 40 })).toEqual(fleet)
      expect(DcsEmulator.generateFleet({ seed: 1, size: 12 })).toEqual(fleet.slice(0, 12))
      expect(DcsEmulator.generateFleet({ seed: 2, size: 40 }).map((i) => i.id)).not.toEqual(fleet.map((i) => i.id))
      expect(DcsEmulator.generateFleet({ seed: 1, size: 0 })).toEqual([])
      expect(() => DcsEmulator.generateFleet({ size: -1 })).toThrow(RangeError)
    })

    it("opens with one instance of each kind, then a weighted mix", () => {
      const kinds = fleet.slice(0, 12).map((i) => [i.engine, i.engineVersion, i.cacheMode, i.status])
      expect(kinds).toEqual([
        ["Redis", "5.0", "ha", "RUNNING"],
        ["Redis", "5.0", "cluster", "RUNNING"],
        ["Redis", "6.0", "single", "RUNNING"],
        ["Redis", "4.0", "proxy", "RUNNING"],
        ["Redis", "6.0", "ha", "RUNNING"],
        ["Redis", "3.0", "ha", "RUNNING"],
        ["Memcached", "", "ha", "RUNNING"],
        ["Redis", "6.0", "ha", "CREATING"],
        ["Redis", "6.0", "cluster", "RUNNING"],
        ["Redis", "5.0", "ha", "FROZEN"],
        ["Redis", "5.0", "single", "ERROR"],
        ["Redis", "4.0", "ha", "RUNNING"]
      ])
      expect(at(2).capacity).toBe(0.5)
      expect(at(2).noPasswordAccess).toBe(true)
      expect(at(4).enterpriseProjectId).toBe(0)
      expect(at(11).capacity).toBe(0.125)
      // Across many seeds the weighted rest has every version, mode and odd status.
      const big = [1, 2, 3].flatMap((seed) => DcsEmulator.generateFleet({ seed, size: 100 }).slice(12))
      const seen = (f: (i: DcsEmulator.Instance) => unknown) => new Set(big.map(f))
      expect(seen((i) => `${i.engine} ${i.engineVersion}`)).toEqual(
        new Set(["Redis 3.0", "Redis 4.0", "Redis 5.0", "Redis 6.0", "Memcached "])
      )
      expect(seen((i) => i.cacheMode)).toEqual(new Set(["single", "ha", "cluster", "proxy"]))
      for (const status of ["RUNNING", "CREATING", "FROZEN", "ERROR", "RESTARTING", "EXTENDING"]) {
        expect(seen((i) => i.status)).toContain(status)
      }
      expect(big.filter((i) => i.status === "RUNNING").length / big.length).toBeGreaterThan(0.75)
    })

    it("unique names, ids and node ids; nodes shaped by the cache mode", () => {
      expect(new Set(fleet.map((i) => i.id)).size).toBe(40)
      expect(new Set(fleet.map((i) => i.name)).size).toBe(40)
      const nodeIds = fleet.flatMap((i) => i.nodes!.map((node) => node.id))
      expect(new Set(nodeIds).size).toBe(nodeIds.length)
      for (const id of nodeIds) expect(id).toMatch(/^[0-9a-f]{32}$/)
      for (const instance of fleet) {
        const nodes = instance.nodes!
        const masters = nodes.filter((node) => node.role === "master")
        const proxies = nodes.filter((node) => node.role === "proxy")
        switch (instance.cacheMode) {
          case "single":
            expect(nodes.map((node) => node.role)).toEqual(["master"])
            break
          case "ha":
            expect(masters).toHaveLength(1)
            expect(nodes.length).toBeGreaterThanOrEqual(2)
            break
          case "cluster":
          case "proxy": {
            expect(masters.length).toBeGreaterThanOrEqual(3)
            // Each shard: one master and one replica, sharing the shard's report.
            for (const group of shardsOf(instance)) {
              const shard = nodes.filter((node) => node.groupName === group)
              expect(shard.map((node) => node.role).sort()).toEqual(["master", "slave"])
              expect(shard[0]!.report).toBe(shard[1]!.report)
            }
            expect(proxies.length > 0).toBe(instance.cacheMode === "proxy")
            for (const proxy of proxies) expect(proxy.report).toBeUndefined()
          }
        }
        for (const node of nodes) {
          const label = node.role === "slave" ? "replica" : node.role
          expect(node.name).toBe(`(${label})${node.ip}`)
        }
      }
    })

    it("every cluster's biggest key is on one shard; the first cluster's on its second; no key on two shards", () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const clusters = DcsEmulator.generateFleet({ seed, size: 60 }).filter((i) =>
          i.cacheMode === "cluster" || i.cacheMode === "proxy"
        )
        expect(clusters.length).toBeGreaterThan(2)
        const hotShards = clusters.map((cluster) => {
          const masters = cluster.nodes!.filter((node) => node.role === "master")
          const keys = masters.flatMap((node) => node.report!.largest_keys.map((key) => key.key))
          expect(new Set(keys).size).toBe(keys.length)
          const sizes = masters.map((node) => biggestKey(node.report).bytes)
          const hot = sizes.indexOf(Math.max(...sizes))
          return masters[hot]!.groupName
        })
        expect(hotShards[0]).toBe("group-1")
        // The others are drawn: not always the second shard.
        if (seed === 1) expect(new Set(hotShards).size).toBeGreaterThan(1)
      }
    })

    it("generateReport by shard: only that shard's keys, deterministic", () => {
      const whole = DcsEmulator.generateReport("x")
      expect(DcsEmulator.generateReport("x")).toEqual(whole)
      const shards = [0, 1, 2].map((index) => DcsEmulator.generateReport("x", { shard: { index, count: 3 } }))
      const keys = shards.map((report) => report.largest_keys.map((key) => key.key))
      expect(new Set(keys.flat()).size).toBe(keys.flat().length)
      expect(() => DcsEmulator.generateReport("x", { shard: { index: 3, count: 3 } })).toThrow(RangeError)
    })
  })

  describe("GET /v2/{project_id}/instances", () => {
    it.live("pages in order with offset and limit (default 10); instance_num counts every match", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const first = yield* call(emulator, instancesPath(emulator))
        expect(first.status).toBe(200)
        expect(first.json.instance_num).toBe(40)
        expect(first.json.instances.map((i: any) => i.instance_id)).toEqual(fleet.slice(0, 10).map((i) => i.id))
        const ids: Array<string> = []
        for (let offset = 0; offset < 40; offset += 15) {
          const page = yield* call(emulator, instancesPath(emulator), {
            params: { offset: String(offset), limit: "15" }
          })
          expect(page.json.instance_num).toBe(40)
          ids.push(...page.json.instances.map((i: any) => i.instance_id))
        }
        expect(ids).toEqual(fleet.map((i) => i.id))
        expect(yield* emulator.instances).toEqual(
          (yield* call(emulator, instancesPath(emulator), { params: { limit: "1000" } })).json.instances
        )
        const past = yield* call(emulator, instancesPath(emulator), { params: { offset: "40" } })
        expect(past.json).toEqual({ instance_num: 40, instances: [] })
      }).pipe(onTestClock()))

    it.live("records carry the spec's fields with the service's loose types", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const records: ReadonlyArray<any> = (yield* call(emulator, instancesPath(emulator), {
          params: { limit: "1000" }
        })).json.instances
        for (const record of records) {
          for (
            const field of [
              "instance_id",
              "name",
              "engine",
              "engine_version",
              "status",
              "sub_status",
              "capacity",
              "capacity_minor",
              "max_memory",
              "used_memory",
              "spec_code",
              "ip",
              "port",
              "domain_name",
              "created_at",
              "tags",
              "enterprise_project_id",
              "features",
              "no_password_access",
              "cpu_type",
              "az_codes"
            ]
          ) expect(record).toHaveProperty(field)
          expect(record.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
          expect(typeof record.port).toBe("number")
          expect(Number.isInteger(record.capacity)).toBe(true)
          expect(record.used_memory).toBeLessThanOrEqual(record.max_memory)
        }
        const [ha, cluster, single, , , redis3, memcached, creating] = records
        expect(ha).toMatchObject({ engine: "Redis", engine_version: "5.0", status: "RUNNING", sub_status: "normal" })
        expect(ha.spec_code).toMatch(/^redis\.ha\./)
        // A cluster's IP: its masters', comma-separated.
        expect(cluster.ip.split(",")).toEqual(at(1).nodes!.filter((n) => n.role === "master").map((n) => n.ip))
        // Sub-GB: capacity 0 and the GB in capacity_minor; a boolean no_password_access.
        expect(single).toMatchObject({ capacity: 0, capacity_minor: ".5", max_memory: 512, no_password_access: true })
        expect(records[4].enterprise_project_id).toBe(0)
        expect(records[11]).toMatchObject({ capacity: 0, capacity_minor: ".125", max_memory: 128 })
        expect(records.some((r) => r.no_password_access === "false")).toBe(true)
        expect(records.some((r) => r.enterprise_project_id === "0")).toBe(true)
        expect(redis3).toMatchObject({ engine: "Redis", engine_version: "3.0" })
        expect(memcached).toMatchObject({ engine: "Memcached", port: 11211 })
        expect(creating).toMatchObject({ status: "CREATING", used_memory: 0 })
        expect(ha.tags).toEqual(Object.entries(at(0).tags!).map(([key, value]) => ({ key, value })))
      }).pipe(onTestClock()))

    it.live("defaults for a bare instance; extraFields sent as they are", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [bare, odd] = (yield* call(emulator, instancesPath(emulator))).json.instances
        const [master] = yield* emulator.nodes("bare-1")
        expect(bare).toMatchObject({
          instance_id: "bare-1",
          name: "dcs-bare",
          engine: "Redis",
          engine_version: "5.0",
          status: "RUNNING",
          capacity: 1,
          capacity_minor: "",
          max_memory: 1024,
          ip: master!.ip,
          port: 6379,
          enterprise_project_id: "0",
          no_password_access: "false",
          tags: [],
          spec_code: "redis.ha.xu1.large.r2.1"
        })
        expect(odd).toMatchObject({ publicip_id: {}, tags: [{ key: 1, value: "x" }], brand_new_field: [1] })
      }).pipe(onTestClock({
        instances: [
          { id: "bare-1" },
          { id: "odd", extraFields: { publicip_id: {}, tags: [{ key: 1, value: "x" }], brand_new_field: [1] } }
        ]
      })))

    it.live("filters: instance_id, name (fuzzy or exact), status, ip, tags (AND)", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const listed = (params: Record<string, string>) =>
          Effect.map(
            call(emulator, instancesPath(emulator), { params: { limit: "1000", ...params } }),
            (answer) => {
              expect(answer.status).toBe(200)
              expect(answer.json.instance_num).toBe(answer.json.instances.length)
              return answer.json.instances.map((i: any) => i.name) as ReadonlyArray<string>
            }
          )
        const names = (f: (i: DcsEmulator.Instance) => boolean) => fleet.filter(f).map((i) => i.name!)

        expect(yield* listed({ instance_id: at(3).id })).toEqual([at(3).name!])
        expect(yield* listed({ instance_id: "nope" })).toEqual([])
        expect(yield* listed({ name: "carts" })).toEqual(names((i) => i.name!.includes("carts")))
        expect((yield* listed({ name: "carts" })).length).toBeGreaterThan(1)
        // Exact only with name_equal=true; a part of a name is then no match.
        expect(yield* listed({ name: at(5).name!, name_equal: "true" })).toEqual([at(5).name!])
        expect(yield* listed({ name: "carts", name_equal: "true" })).toEqual([])
        expect(yield* listed({ name: "carts", name_equal: "false" })).toEqual(names((i) => i.name!.includes("carts")))
        expect(yield* listed({ status: "FROZEN" })).toEqual(names((i) => i.status === "FROZEN"))
        expect(yield* listed({ status: "NO-SUCH" })).toEqual([])
        const clusterIp = at(1).nodes!.filter((n) => n.role === "master")[2]!.ip!
        expect(yield* listed({ ip: clusterIp })).toEqual([at(1).name!])
        const team = at(0).tags!.team!
        const env = at(0).tags!.env!
        expect(yield* listed({ tags: `team=${team}` })).toEqual(names((i) => i.tags?.team === team))
        const both = names((i) => i.tags?.team === team && i.tags?.env === env)
        expect(yield* listed({ tags: `team=${team},env=${env}` })).toEqual(both)
        expect(both.length).toBeLessThan(names((i) => i.tags?.team === team).length)
        // Filters combine.
        expect(yield* listed({ tags: `team=${team}`, status: "RUNNING", name: "-" })).toEqual(
          names((i) => i.tags?.team === team && i.status === "RUNNING")
        )
      }).pipe(onTestClock()))

    it.live("bad offset, limit or tags: 400 DCS.4800; other project 403", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const cases: ReadonlyArray<readonly [Record<string, string | ReadonlyArray<string>>, string]> = [
          [{ offset: "-1" }, "offset"],
          [{ offset: "x" }, "offset"],
          [{ limit: "0" }, "limit"],
          [{ limit: "1001" }, "limit"],
          [{ limit: "2.5" }, "limit"],
          [{ limit: ["5", "6"] }, "limit"],
          [{ tags: "env" }, "tags"],
          [{ tags: "=prod" }, "tags"],
          [{ tags: "env=prod," }, "tags"]
        ]
        for (const [params, name] of cases) {
          const answer = yield* call(emulator, instancesPath(emulator), { params })
          expectError(answer, 400, "DCS.4800")
          expect(answer.json.error_msg).toBe(`Invalid ${name} in the request.`)
        }
        expect((yield* call(emulator, instancesPath(emulator), { params: { limit: "1000" } })).status).toBe(200)
        expectError(yield* call(emulator, `/v2/${"f".repeat(32)}/instances`), 403, "DCS.4003")
      }).pipe(onTestClock()))

    it.live("maxInstancesPerPage caps pages below the limit asked, at start and at runtime", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const page = (offset: number, limit: number) =>
          Effect.map(
            call(emulator, instancesPath(emulator), { params: { offset: String(offset), limit: String(limit) } }),
            (answer) => answer.json
          )
        const capped = yield* page(0, 1000)
        expect(capped.instance_num).toBe(40)
        expect(capped.instances).toHaveLength(7)
        expect((yield* page(35, 1000)).instances).toHaveLength(5)
        expect((yield* page(0, 3)).instances).toHaveLength(3)
        yield* emulator.setFaultSettings({ maxInstancesPerPage: 16 })
        expect((yield* page(0, 1000)).instances).toHaveLength(16)
        yield* emulator.setFaultSettings({ maxInstancesPerPage: undefined })
        expect((yield* page(0, 1000)).instances).toHaveLength(40)
        expect((yield* emulator.faultSettings).maxInstancesPerPage).toBeUndefined()
      }).pipe(onTestClock({ instances: fleet, faults: { maxInstancesPerPage: 7 } })))
  })

  describe("GET …/instances/{instance_id}/logical-nodes", () => {
    it.live("the spec's node shape: master/standby, cluster shards, proxies", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const ha = yield* call(emulator, nodesPath(emulator, at(0).id))
        expect(ha.status).toBe(200)
        expect(ha.json.instance_id).toBe(at(0).id)
        expect(ha.json.total).toBe(at(0).nodes!.length)
        const [master, replica] = ha.json.nodes
        expect(Object.keys(master).sort()).toEqual([
          "az_code",
          "dimensions",
          "group_id",
          "group_name",
          "is_access",
          "is_remove_ip",
          "logical_node_id",
          "name",
          "node_id",
          "node_ip",
          "node_port",
          "node_role",
          "node_type",
          "priority_weight",
          "replication_id",
          "status"
        ])
        expect(master).toMatchObject({
          node_id: at(0).nodes![0]!.id,
          node_type: "master",
          node_role: "redis-server",
          node_port: "6379",
          status: "Active",
          group_name: "group-0",
          name: `(master)${master.node_ip}`
        })
        expect(replica).toMatchObject({ node_type: "slave", node_role: "redis-server", group_id: master.group_id })
        expect(master.logical_node_id).toMatch(/^[0-9a-f]{32}$/)
        expect(master.logical_node_id).not.toBe(master.node_id)
        expect(master.dimensions).toEqual([
          { name: "dcs_instance_id", value: at(0).id },
          { name: "dcs_cluster_redis_node", value: expect.stringMatching(/^[0-9a-f]{32}$/) }
        ])
        expect(master.dimensions[1].value).not.toBe(master.node_id)

        const proxyCluster: ReadonlyArray<any> = (yield* call(emulator, nodesPath(emulator, at(3).id))).json.nodes
        const data = proxyCluster.filter((node) => node.node_role === "redis-server")
        const proxies = proxyCluster.filter((node) => node.node_role === "redis-proxy")
        expect(proxies.length).toBeGreaterThan(0)
        for (const proxy of proxies) expect(proxy.node_type).toBe("proxy")
        expect(new Set(data.map((node) => node.group_id)).size).toBe(shardsOf(at(3)).length)
        expect(data.map((node) => node.group_name)).toEqual(
          at(3).nodes!.filter((n) => n.role !== "proxy").map((n) => n.groupName)
        )
      }).pipe(onTestClock()))

    it.live("none while CREATING; 404 DCS.3022 for an unknown instance; 400 for Redis 3.0 and Memcached", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        expect((yield* call(emulator, nodesPath(emulator, at(7).id))).json).toEqual({
          instance_id: at(7).id,
          total: 0,
          nodes: []
        })
        const unknown = yield* call(emulator, nodesPath(emulator, "nope"))
        expectError(unknown, 404, "DCS.3022")
        expectError(yield* call(emulator, nodesPath(emulator, at(5).id)), 400, "DCS.4027")
        expectError(yield* call(emulator, nodesPath(emulator, at(6).id)), 400, "DCS.4027")
        // Frozen and faulty instances still list their nodes, with their state.
        const frozen: ReadonlyArray<any> = (yield* call(emulator, nodesPath(emulator, at(9).id))).json.nodes
        expect(frozen.every((node) => node.status === "Inactive")).toBe(true)
      }).pipe(onTestClock()))
  })

  describe("analyses on the fleet", () => {
    const create = (emulator: Emulator, instanceId: string, nodeId: string) =>
      call(emulator, analysisPath(emulator, instanceId), { method: "POST", body: { node_id: nodeId } })

    const createdTask = (emulator: Emulator, instanceId: string, nodeId: string) =>
      Effect.map(create(emulator, instanceId, nodeId), (answer) => {
        expect(answer.status).toBe(200)
        return answer.json.task_id as string
      })

    it.live("one analysis per shard: each reports its shard; the cluster's biggest key is on group-1", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const cluster = at(1)
        // Replicas: the analyses a client should prefer; they report their shard like the master.
        const replicas = cluster.nodes!.filter((node) => node.role === "slave")
        const tasks = yield* Effect.forEach(replicas, (node) => createdTask(emulator, cluster.id, node.id))
        // About a second, as the fleet bench wants.
        yield* TestClock.adjust("999 millis")
        const running = yield* call(emulator, analysisPath(emulator, cluster.id), { params: { status: "running" } })
        expect(running.json.total).toBe(replicas.length)
        yield* TestClock.adjust("1 millis")
        const reports = yield* Effect.forEach(
          tasks,
          (taskId) =>
            Effect.map(call(emulator, `${analysisPath(emulator, cluster.id)}/${taskId}`), (answer) => answer.json)
        )
        for (const [i, report] of reports.entries()) {
          expect(report.node_id).toBe(replicas[i]!.id)
          expect(report.group_name).toBe(replicas[i]!.groupName)
          expect(report.node_type).toBe("slave")
          expect(report.largest_keys).toEqual(replicas[i]!.report!.largest_keys)
          expect(report.total_bytes).toBe(replicas[i]!.report!.total_bytes)
        }
        expect(new Set(reports.map((report) => report.total_bytes)).size).toBe(reports.length)
        const merged = reports.flatMap((report) =>
          report.largest_keys.map((key: any) => ({ ...key, group: report.group_name }))
        ).sort((a, b) => b.bytes - a.bytes)
        expect(merged[0]!.group).toBe("group-1")
        expect(reports[0].largest_keys[0].bytes).toBeLessThan(merged[0]!.bytes)
      }).pipe(onTestClock({ instances: fleet, analysis: { waitingFor: "200 millis", runningFor: "800 millis" } })))

    it.live("the service's refusals: DCS.4230, DCS.4049, DCS.4027, DCS.3053, DCS.4026, DCS.4231", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const firstNode = (instance: DcsEmulator.Instance) => instance.nodes![0]!.id
        // Redis 3.0 and Memcached: no offline key analysis.
        expectError(yield* create(emulator, at(5).id, firstNode(at(5))), 400, "DCS.4230")
        expectError(yield* create(emulator, at(6).id, firstNode(at(6))), 400, "DCS.4230")
        // Not running: creating, frozen, faulty.
        for (const index of [7, 9, 10]) {
          expectError(yield* create(emulator, at(index).id, firstNode(at(index))), 400, "DCS.4049")
        }
        // A proxy holds no data; an unknown node, or one of another instance, is no node.
        const proxy = at(3).nodes!.find((node) => node.role === "proxy")!
        expectError(yield* create(emulator, at(3).id, proxy.id), 400, "DCS.4027")
        expectError(yield* create(emulator, at(3).id, "0".repeat(32)), 400, "DCS.3053")
        expectError(yield* create(emulator, at(3).id, firstNode(at(0))), 400, "DCS.3053")
        // A node that is not Active.
        expectError(yield* create(emulator, "faulty", "sick"), 400, "DCS.4026")
        // One analysis per node at a time; the shard's other node is free.
        const [master, replica] = at(0).nodes!
        yield* createdTask(emulator, at(0).id, master!.id)
        expectError(yield* create(emulator, at(0).id, master!.id), 400, "DCS.4231")
        yield* createdTask(emulator, at(0).id, replica!.id)
        yield* TestClock.adjust("1 second")
        yield* createdTask(emulator, at(0).id, master!.id)
        // Single-node instances are analysable (unconfirmed on the service; see the docs).
        yield* createdTask(emulator, at(2).id, firstNode(at(2)))
      }).pipe(onTestClock({
        instances: [...fleet, { id: "faulty", nodes: [{ id: "well" }, { id: "sick", status: "Inactive" }] }],
        analysis: { waitingFor: "200 millis", runningFor: "800 millis" }
      })))

    it.live("seeded tasks of fleet instances show their node's report, never a proxy's", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const withTasks = fleet.filter((i) => i.cacheMode === "proxy" && i.tasks!.some((t) => t.status === "success"))
        expect(withTasks.length).toBeGreaterThan(0)
        for (const instance of withTasks) {
          for (const task of instance.tasks!.filter((t) => t.status === "success")) {
            const shown = (yield* call(emulator, `${analysisPath(emulator, instance.id)}/${task.id}`)).json
            const node = instance.nodes!.find((n) => n.id === shown.node_id)!
            expect(node.role).not.toBe("proxy")
            expect(shown.largest_keys).toEqual(node.report!.largest_keys)
          }
        }
      }).pipe(onTestClock()))
  })

  describe("throttling", () => {
    const message = (limit: number) =>
      `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`

    it.live("a token bucket on the Clock: 429 APIGW.0308 past the burst, Retry-After every other time", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const list = call(emulator, instancesPath(emulator))
        expect((yield* list).status).toBe(200)
        expect((yield* list).status).toBe(200)
        const first = yield* list
        expectError(first, 429, "APIGW.0308")
        expect(first.json.error_msg).toBe(message(5))
        // A token comes back every 200 ms: a whole second at least.
        expect(first.headers["retry-after"]).toBe("1")
        const second = yield* list
        expectError(second, 429, "APIGW.0308")
        expect(second.headers["retry-after"]).toBeUndefined()
        yield* TestClock.adjust("199 millis")
        expect((yield* list).status).toBe(429)
        yield* TestClock.adjust("1 millis")
        expect((yield* list).status).toBe(200)
        expect((yield* list).status).toBe(429)
        // Refilled up to the burst, no more.
        yield* TestClock.adjust("1 hour")
        const statuses = []
        for (let i = 0; i < 3; i++) statuses.push((yield* list).status)
        expect(statuses).toEqual([200, 200, 429])
        // Every endpoint is behind the gateway; the requests are recorded with the code.
        expect((yield* call(emulator, nodesPath(emulator, at(0).id))).status).toBe(429)
        const codes = (yield* emulator.requests).map((request) => request.errorCode)
        expect(codes.filter((code) => code === "APIGW.0308")).toHaveLength(6)
        // Faults come first and take no token.
        yield* emulator.injectFaults({ _tag: "Status", status: 503 })
        expect((yield* list).status).toBe(503)
      }).pipe(onTestClock({ instances: fleet, throttle: { requestsPerSecond: 5, burst: 2 } })))

    it.live("setThrottle at runtime: on, Retry-After always or never, off; reset restores the options'", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const list = call(emulator, instancesPath(emulator))
        for (let i = 0; i < 5; i++) expect((yield* list).status).toBe(200)
        yield* emulator.setThrottle({ requestsPerSecond: 0.5, burst: 1, retryAfter: true })
        expect(yield* emulator.throttle).toEqual({ requestsPerSecond: 0.5, burst: 1, retryAfter: true })
        expect((yield* list).status).toBe(200)
        for (let i = 0; i < 2; i++) {
          const refused = yield* list
          expect(refused.json.error_msg).toBe(message(0.5))
          expect(refused.headers["retry-after"]).toBe("2")
        }
        yield* emulator.setThrottle({ requestsPerSecond: 1, burst: 1, retryAfter: false })
        expect((yield* list).status).toBe(200)
        for (let i = 0; i < 2; i++) expect((yield* list).headers["retry-after"]).toBeUndefined()
        yield* emulator.setThrottle(undefined)
        expect(yield* emulator.throttle).toBeUndefined()
        for (let i = 0; i < 5; i++) expect((yield* list).status).toBe(200)
        const invalid = yield* Effect.exit(emulator.setThrottle({ requestsPerSecond: 0 }))
        expect(Exit.isFailure(invalid)).toBe(true)
        expect(Exit.isFailure(yield* Effect.exit(emulator.setThrottle({ requestsPerSecond: 1, burst: 0.5 })))).toBe(
          true
        )
        yield* emulator.reset
        expect(yield* emulator.throttle).toBeUndefined()
      }).pipe(onTestClock({ instances: fleet.slice(0, 3) })))
  })
})
