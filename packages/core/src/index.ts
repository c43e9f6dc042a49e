/**
 * @since 0.1.0
 */
export * as DcsClient from "./DcsClient.js"

/**
 * @since 0.2.0
 */
export * as DcsClientTest from "./DcsClientTest.js"

/**
 * @since 0.1.0
 */
export * as DcsError from "./DcsError.js"

/**
 * @since 0.2.0
 */
export * as DcsInstance from "./DcsInstance.js"

/**
 * @since 0.2.0
 */
export * as DcsTransport from "./DcsTransport.js"

/**
 * @since 0.2.0
 */
export * as Fleet from "./Fleet.js"

/**
 * @since 0.2.0
 */
export * as InstanceAnalysis from "./InstanceAnalysis.js"

/**
 * @since 0.1.0
 */
export * as OfflineKeyAnalysis from "./OfflineKeyAnalysis.js"

/**
 * @since 0.1.0
 */
export * as Paginate from "./Paginate.js"
