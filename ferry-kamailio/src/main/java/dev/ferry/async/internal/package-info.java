/**
 * Async work: worker groups with bounded queues, the tick timer of delayed routes, and the bridge
 * that runs durable routes from a bus. Internal: not for use outside Ferry; the API is {@link
 * dev.ferry.async.Async}.
 */
package dev.ferry.async.internal;
