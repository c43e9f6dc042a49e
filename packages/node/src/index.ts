/**
 * @since 0.1.0
 */
export * as Credentials from "./Credentials.js"

/**
 * @since 0.1.0
 */
export * as DcsEmulator from "./DcsEmulator.js"

/**
 * @since 0.1.0
 */
export * as NodeDcsClient from "./NodeDcsClient.js"

/**
 * @since 0.1.0
 */
export * as ProjectLookup from "./ProjectLookup.js"

/**
 * @since 0.1.0
 */
export * as Signer from "./Signer.js"
