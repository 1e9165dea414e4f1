/**
 * NSQ's wire protocol for Ferry. The Java client: {@link dev.ferry.nsq.NsqBus} connects a {@link
 * dev.ferry.Bus} with {@link dev.ferry.nsq.ConnectOptions} and its groups (discovery, socket,
 * timeouts, security, compression, flow control, publishing, identity); ferry-core's {@code
 * Bus.connect(String...)} reaches the same client with the defaults. The broker: its listeners
 * ({@link dev.ferry.nsq.NsqTcpServer}, with {@link dev.ferry.nsq.ServerOptions} and {@link
 * dev.ferry.nsq.AuthSettings}), the discovery service and a broker's registration with it ({@link
 * dev.ferry.nsq.LookupdServer}, {@link dev.ferry.nsq.LookupdRegistration}).
 */
package dev.ferry.nsq;
