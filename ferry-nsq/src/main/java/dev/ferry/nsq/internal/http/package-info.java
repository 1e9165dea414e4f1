/**
 * nsqd's HTTP API over an engine: {@link dev.ferry.nsq.internal.http.NsqHttpHandler} routes each
 * request to one of the endpoint classes (publishing, administration, statistics, node information,
 * lookups for this node, request/reply, the server's extra routes), behind the auth checks. Internal:
 * not for use outside Ferry.
 */
package dev.ferry.nsq.internal.http;
