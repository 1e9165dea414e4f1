/**
 * The client transport: {@link dev.ferry.Bus} over NSQ's TCP protocol V2, against Ferry brokers or
 * nsqd, with lookupd discovery, RDY spread over connections, failure backoff, reconnects and
 * batched publishes. Opened by {@link dev.ferry.nsq.NsqBus}, and found by {@link dev.ferry.Bus#connect} through {@link
 * dev.ferry.spi.BusConnector}. Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.client;
