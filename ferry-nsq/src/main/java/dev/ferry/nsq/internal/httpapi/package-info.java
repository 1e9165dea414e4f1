/**
 * What nsqd's and nsqlookupd's HTTP servers share, after NSQ's own {@code internal/http_api}: the
 * router (method and exact path to a handler, with nsqd's 404, 405 and {@code OPTIONS} answers),
 * the API error and the response bodies. Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.httpapi;
