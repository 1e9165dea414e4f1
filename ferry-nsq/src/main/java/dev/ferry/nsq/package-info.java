/**
 * NSQ's wire protocol for Ferry: the broker's listeners ({@link dev.ferry.nsq.NsqTcpServer}), the
 * discovery service and a broker's registration with it ({@link dev.ferry.nsq.LookupdServer}, {@link
 * dev.ferry.nsq.LookupdRegistration}); the Java client is found by {@code Bus.connect}.
 */
package dev.ferry.nsq;
