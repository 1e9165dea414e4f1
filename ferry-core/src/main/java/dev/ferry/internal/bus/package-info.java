/**
 * The {@link dev.ferry.Bus} over an {@link dev.ferry.spi.Engine}: publishing with its limits,
 * subscriptions that pump leases to handlers on a bounded executor. Internal: not for use outside
 * Ferry.
 */
package dev.ferry.internal.bus;
