/**
 * One of every `DcsError`, for tests that must work with any of them.
 */
import * as DcsError from "../../src/DcsError.js"

const common = { errorCode: "DCS.4000", errorMsg: "Invalid request parameter.", requestId: "req-1" }

export const oneOfEach: ReadonlyArray<DcsError.DcsError> = [
  new DcsError.DcsBadRequest({ status: 400, ...common }),
  new DcsError.DcsAnalysisAlreadyRunning({ status: 400, ...common, errorCode: "DCS.4231" }),
  new DcsError.DcsTaskNotFound({ status: 400, ...common, errorCode: "DCS.4232" }),
  new DcsError.DcsUnauthorized({ status: 401, ...common, errorCode: "APIGW.0301" }),
  new DcsError.DcsForbidden({ status: 403, ...common }),
  new DcsError.DcsNotFound({ status: 404, ...common }),
  new DcsError.DcsNotSupported({ status: 400, ...common }),
  new DcsError.DcsTooManyRequests({ status: 429, ...common, errorCode: "APIGW.0308", retryAfterMillis: 2000 }),
  new DcsError.DcsInternalServerError({ status: 500, ...common, errorExtMsg: "ext" }),
  new DcsError.DcsUnexpectedStatus({ status: 503, ...common, body: "busy", retryAfterMillis: 1000 }),
  new DcsError.DcsTransportError({ reason: "Timeout", method: "GET", url: "http://x", description: "slow" }),
  new DcsError.DcsDecodeError({ status: 200, reason: "not JSON", body: "<html>" }),
  new DcsError.DcsInvalidRequest({ field: "limit", reason: "must be an integer" }),
  new DcsError.DcsPaginationError({ offset: 10, total: 20, reason: "no progress" })
]
