/**
 * The official Huawei Cloud Node SDK core (CommonJS), driven as its generated DCS client would
 * drive it. The DCS service package is not published on npm, so `listPage` builds the options its
 * `ListOfflineKeyAnalysisTask` would build (method, URL template, `contentType`, query and path
 * parameters) and hands them to `HcClient.sendRequest`, which signs with `AKSKSigner`, sends with
 * axios and returns the parsed JSON as is: no validation, no renaming, strings for times.
 */
import { createRequire } from "node:module"
import { accessKeyId, projectId, secretAccessKey } from "./fixtures.js"

const require = createRequire(import.meta.url)

/** What `AKSKSigner.sign` reads of a request (see HcClient.buildRequest and BaseCredentials). */
export interface OfficialSignRequest {
  readonly method: string
  readonly endpoint: string
  readonly queryParams: Record<string, string | number>
  readonly headers: Record<string, string>
  readonly data?: unknown
}

export interface OfficialCredential {
  readonly getAk: () => string
  readonly getSk: () => string
}

export const AKSKSigner = (require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js") as {
  readonly AKSKSigner: {
    readonly sign: (request: OfficialSignRequest, credential: OfficialCredential) => Record<string, string>
  }
}).AKSKSigner

interface BasicCredentials extends OfficialCredential {
  withAk(ak: string): BasicCredentials
  withSk(sk: string): BasicCredentials
  withProjectId(projectId: string): BasicCredentials
}

const { BasicCredentials } = require("@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js") as {
  readonly BasicCredentials: new() => BasicCredentials
}

export const officialCredentials = (): BasicCredentials =>
  new BasicCredentials().withAk(accessKeyId).withSk(secretAccessKey).withProjectId(projectId)

/** What `HcClient.sendRequest` takes, as the generated DCS client builds it. */
export interface SendOptions {
  readonly method: string
  readonly url: string
  readonly contentType: string
  readonly queryParams: Record<string, number>
  readonly pathParams: Record<string, string>
  readonly headers: Record<string, string>
  readonly data?: unknown
  responseHeaders?: ReadonlyArray<string>
}

export interface HcClient {
  sendRequest(options: SendOptions): Promise<unknown>
}

interface ClientBuilder {
  withCredential(credential: BasicCredentials): ClientBuilder
  withEndpoint(endpoint: string): ClientBuilder
  build(): HcClient
}

const { ClientBuilder } = require("@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js") as {
  readonly ClientBuilder: new(init: (client: HcClient) => HcClient) => ClientBuilder
}

/** The wire page, as the official SDK returns it (plus its `httpStatusCode`). */
export interface OfficialPage {
  readonly total?: number
  readonly records?: ReadonlyArray<unknown>
}

/** The SDK core's client as `DcsClient.newBuilder().withCredential(...).withEndpoint(...).build()` makes it. */
export const makeHcClient = (endpoint: string): HcClient =>
  new ClientBuilder((hcClient) => hcClient)
    .withCredential(officialCredentials())
    .withEndpoint(endpoint)
    .build()

/** The official client of the list, paging by offset. */
export const makeOfficialClient = (endpoint: string) => {
  const client = makeHcClient(endpoint)
  return {
    /** What the generated `listOfflineKeyAnalysisTask({ instance_id, offset, limit })` does. */
    listPage: (instanceId: string, offset: number, limit: number): Promise<OfficialPage> => {
      const options: SendOptions = {
        method: "GET",
        url: "/v2/{project_id}/instances/{instance_id}/offline/key-analysis",
        contentType: "application/json",
        queryParams: { offset, limit },
        pathParams: { instance_id: instanceId },
        headers: {}
      }
      options.responseHeaders = [""]
      return client.sendRequest(options) as Promise<OfficialPage>
    }
  }
}
