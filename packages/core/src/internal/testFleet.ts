/**
 * Test data for the fleet of the test layer: instances and nodes built from what a test cares
 * about.
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import type { TestInstanceFields } from "../DcsClientTest.js"
import { DcsInstance, DcsInstanceNode } from "../DcsInstance.js"

/** @internal */
export const makeInstance = (fields: TestInstanceFields): DcsInstance =>
  new DcsInstance({
    name: fields.id,
    engine: "Redis",
    engineVersion: "5.0",
    status: "RUNNING",
    subStatus: Option.some("normal"),
    capacity: Option.some(1),
    maxMemory: Option.some(1024),
    usedMemory: Option.some(0),
    specCode: Option.none(),
    ip: Option.none(),
    port: Option.some(6379),
    domainName: Option.none(),
    createdAt: DateTime.unsafeMake(0),
    tags: [],
    enterpriseProjectId: Option.some("0"),
    noPasswordAccess: Option.some(false),
    features: {},
    ...fields
  })

const node = (fields: {
  readonly nodeId: string
  readonly nodeType: "master" | "slave" | "proxy"
  readonly group: Option.Option<string>
}) =>
  new DcsInstanceNode({
    nodeId: fields.nodeId,
    logicalNodeId: Option.some(`logical-${fields.nodeId}`),
    name: Option.some(`(${fields.nodeType === "slave" ? "replica" : fields.nodeType})${fields.nodeId}`),
    status: Option.some("Active"),
    nodeType: fields.nodeType,
    nodeRole: Option.some(fields.nodeType === "proxy" ? "redis-proxy" : "redis-server"),
    ip: Option.none(),
    port: Option.some(6379),
    groupId: Option.map(fields.group, (group) => `id-${group}`),
    groupName: fields.group,
    azCode: Option.none()
  })

/** @internal */
export const makeNodes = (
  instanceId: string,
  options: {
    readonly shards?: number | undefined
    readonly replicas?: number | undefined
    readonly proxies?: number | undefined
  } = {}
): ReadonlyArray<DcsInstanceNode> => {
  const nodes: Array<DcsInstanceNode> = []
  for (let shard = 0; shard < (options.shards ?? 1); shard++) {
    const group = Option.some(`group-${shard}`)
    nodes.push(node({ nodeId: `${instanceId}-s${shard}-master`, nodeType: "master", group }))
    for (let replica = 1; replica <= (options.replicas ?? 1); replica++) {
      nodes.push(node({ nodeId: `${instanceId}-s${shard}-replica${replica}`, nodeType: "slave", group }))
    }
  }
  for (let proxy = 1; proxy <= (options.proxies ?? 0); proxy++) {
    nodes.push(node({ nodeId: `${instanceId}-proxy${proxy}`, nodeType: "proxy", group: Option.none() }))
  }
  return nodes
}
