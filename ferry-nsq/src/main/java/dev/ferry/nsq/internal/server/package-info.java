/**
 * The server side of NSQ's TCP protocol V2 over any {@link dev.ferry.spi.Engine}. Internal: not for
 * use outside Ferry.
 */
package dev.ferry.nsq.internal.server;
