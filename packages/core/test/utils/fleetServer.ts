/**
 * A small DCS on loopback for the live layer's fleet tests: the instances list (filters, pages
 * capped below `limit`, the loose field types the spec documents), the logical nodes, and the
 * offline key analysis lifecycle per node, with optional throttling (429 APIGW.0308).
 */
import type { ServerResponse } from "node:http"
import { json, type Seen } from "./server.js"

export interface WireKey {
  readonly key: string
  readonly type: string
  readonly bytes: number
  readonly num_of_elem?: number
}

export interface FleetServerOptions {
  readonly project: string
  /** Wire instances, as the service sends them. */
  readonly instances: ReadonlyArray<Record<string, unknown>>
  /** Wire nodes per instance id. */
  readonly nodes: Readonly<Record<string, ReadonlyArray<Record<string, unknown>>>>
  /** The report of an analysis of a node (its largest keys, prefixes, totals). */
  readonly report: (instanceId: string, nodeId: string) => Record<string, unknown>
  /** The most instances one page holds, whatever `limit` says. */
  readonly maxPage?: number
  /** How many looks at the list show a created task `running` before `success`. */
  readonly runningLooks?: number
  /** Throttles the `index`-th request: answers 429 APIGW.0308, with `Retry-After` if given. */
  readonly throttle?: (index: number, request: Seen) => { readonly retryAfter?: string } | undefined
  /** Tasks already running when the server starts: instance id → node id → task id. */
  readonly running?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

interface Task {
  readonly id: string
  readonly instanceId: string
  readonly nodeId: string
  readonly createdAt: string
  looks: number
}

export const fleetHandler = (options: FleetServerOptions) => {
  const tasks: Array<Task> = []
  let created = 0
  for (const [instanceId, byNode] of Object.entries(options.running ?? {})) {
    for (const [nodeId, id] of Object.entries(byNode)) {
      tasks.push({ id, instanceId, nodeId, createdAt: new Date(0).toISOString(), looks: 0 })
    }
  }
  const runningLooks = options.runningLooks ?? 1
  const statusOf = (task: Task) => task.looks > runningLooks ? "success" : "running"
  const prefix = `/v2/${options.project}/instances`
  const error = (res: ServerResponse, status: number, code: string, msg: string, headers = {}) =>
    json(res, status, { error_code: code, error_msg: msg, error_ext_msg: null }, { "x-request-id": "req", ...headers })

  const handler = (request: Seen, res: ServerResponse, index: number): void => {
    const throttled = options.throttle?.(index, request)
    if (throttled !== undefined) {
      return error(
        res,
        429,
        "APIGW.0308",
        "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second",
        throttled.retryAfter === undefined ? {} : { "retry-after": throttled.retryAfter }
      )
    }
    const params = new Map(request.query)
    if (!request.path.startsWith(prefix)) return error(res, 404, "DCS.4001", "no such URL")
    const rest = request.path.slice(prefix.length).split("/").filter((part) => part !== "").map(decodeURIComponent)
    if (rest.length === 0 && request.method === "GET") {
      const tags = (params.get("tags") ?? "").split(",").filter((t) => t !== "").map((t) => t.split("="))
      const matching = options.instances.filter((instance) =>
        (!params.has("name") ||
          (params.get("name_equal") === "true"
            ? instance.name === params.get("name")
            : String(instance.name).includes(params.get("name")!))) &&
        (!params.has("status") || instance.status === params.get("status")) &&
        (!params.has("instance_id") || instance.instance_id === params.get("instance_id")) &&
        tags.every(([k, v]) =>
          (instance.tags as Array<{ key: unknown; value: unknown }> | undefined ?? []).some((tag) =>
            String(tag.key) === k && String(tag.value) === v
          )
        )
      )
      const offset = Number(params.get("offset") ?? "0")
      const limit = Math.min(Number(params.get("limit") ?? "10"), options.maxPage ?? Infinity)
      return json(res, 200, { instance_num: matching.length, instances: matching.slice(offset, offset + limit) })
    }
    const [instanceId, resource, sub, taskId] = rest
    const instance = options.instances.find((i) => i.instance_id === instanceId)
    if (instance === undefined) return error(res, 404, "DCS.3022", "This DCS instance does not exist.")
    if (resource === "logical-nodes" && request.method === "GET") {
      const nodes = options.nodes[instanceId!] ?? []
      return json(res, 200, { instance_id: instanceId, total: nodes.length, nodes })
    }
    if (resource !== "offline" || sub !== "key-analysis") return error(res, 404, "DCS.4001", "no such URL")
    if (request.method === "POST" && taskId === undefined) {
      if (instance.engine === "Memcached" || instance.engine_version === "3.0") {
        return error(res, 400, "DCS.4230", "Does not support offline key analysis.")
      }
      const nodeId = (JSON.parse(request.body) as { node_id: string }).node_id
      if (tasks.some((t) => t.instanceId === instanceId && t.nodeId === nodeId && statusOf(t) !== "success")) {
        return error(res, 400, "DCS.4231", "An offline key analysis task is already running.")
      }
      const task = {
        id: `task-${++created}`,
        instanceId: instanceId!,
        nodeId,
        createdAt: new Date().toISOString(),
        looks: 0
      }
      tasks.unshift(task)
      return json(res, 200, { task_id: task.id })
    }
    if (request.method === "GET" && taskId === undefined) {
      const mine = tasks.filter((t) => t.instanceId === instanceId)
      // Each look at the whole list (a waiter's) moves the tasks on; a filtered look does not.
      if (!params.has("status")) { for (const task of mine) task.looks++ }
      const matching = mine.filter((t) => !params.has("status") || statusOf(t) === params.get("status"))
      const offset = Number(params.get("offset") ?? "0")
      const limit = Number(params.get("limit") ?? "10")
      return json(res, 200, {
        instance_id: instanceId,
        total: matching.length,
        records: matching.slice(offset, offset + limit).map((t) => ({
          id: t.id,
          status: statusOf(t),
          created_at: t.createdAt
        }))
      })
    }
    if (request.method === "GET" && taskId !== undefined) {
      const task = tasks.find((t) => t.instanceId === instanceId && t.id === taskId)
      if (task === undefined) return error(res, 400, "DCS.4232", "The task does not exist.")
      return json(res, 200, {
        id: task.id,
        instance_id: instanceId,
        node_id: task.nodeId,
        ...(statusOf(task) === "success" ? options.report(instanceId!, task.nodeId) : {})
      })
    }
    return error(res, 404, "DCS.4001", "no such URL")
  }
  return { handler, tasks }
}

/** A wire node of the logical-nodes answer. */
export const wireNode = (
  instanceId: string,
  shard: number,
  nodeType: "master" | "slave" | "proxy",
  n = 0
): Record<string, unknown> => ({
  logical_node_id: `${instanceId}-logical-${shard}-${nodeType}-${n}`,
  name: `(${nodeType === "slave" ? "replica" : nodeType})10.0.${shard}.${n}`,
  status: "Active",
  az_code: "az-1",
  node_role: nodeType === "proxy" ? "redis-proxy" : "redis-server",
  node_type: nodeType,
  node_ip: `10.0.${shard}.${n}`,
  node_port: "6379",
  node_id: nodeType === "proxy" ? `${instanceId}-proxy-${n}` : `${instanceId}-s${shard}-${nodeType}`,
  priority_weight: 100,
  is_access: true,
  ...(nodeType === "proxy" ? {} : { group_id: `${instanceId}-group-${shard}`, group_name: `group-${shard}` }),
  is_remove_ip: false,
  dimensions: [{ name: "dcs_instance_id", value: instanceId }]
})

/** A wire instance with the loose types the service is known to send. */
export const wireInstance = (
  id: string,
  fields: Record<string, unknown> = {}
): Record<string, unknown> => ({
  instance_id: id,
  name: id,
  engine: "Redis",
  engine_version: "5.0",
  status: "RUNNING",
  sub_status: "normal",
  capacity: 4,
  capacity_minor: "",
  max_memory: 4096,
  used_memory: 913,
  spec_code: "redis.ha.xu1.large.r2.4",
  ip: "10.0.1.23",
  port: 6379,
  domain_name: `${id}.dcs.example.com`,
  created_at: "2025-11-04T08:15:02.481Z",
  no_password_access: true,
  enterprise_project_id: 0,
  publicip_id: {},
  tags: [{ key: "env", value: "prod" }],
  features: { support_acl: true, support_ssl: "false" },
  some_field_added_later: { nested: [1, 2, 3] },
  ...fields
})
