/**
 * URL checks shared by the configuration readers.
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"

/**
 * Whether a value is an absolute http(s) URL without credentials, query or fragment: core's one
 * endpoint rule, also for the IAM and metadata endpoints.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isHttpUrl: (value: string) => boolean = DcsClient.isEndpointUrl

/**
 * Whether a value is a region name such as `cn-north-4`: lower-case letters and digits in
 * dash-separated words, so that it cannot change the host of `dcs.{region}.myhuaweicloud.com`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRegionName = (value: string): boolean => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)
