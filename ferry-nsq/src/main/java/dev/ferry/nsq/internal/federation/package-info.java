/**
 * Federation over WebSocket, not for use outside Ferry: the challenge by which a peer proves it holds
 * a secret ({@link dev.ferry.nsq.internal.federation.Challenge}), the broker's side that checks it and
 * then serves NSQ's protocol V2 over the WebSocket ({@link
 * dev.ferry.nsq.internal.federation.FederationAcceptor}), the client's side that answers it ({@link
 * dev.ferry.nsq.internal.federation.FederationDialer}), and the handlers both share: V2 bytes in
 * binary frames ({@link dev.ferry.nsq.internal.federation.WebSocketBytes}) and pings on a silent
 * link ({@link dev.ferry.nsq.internal.federation.WebSocketPinger}).
 */
package dev.ferry.nsq.internal.federation;
