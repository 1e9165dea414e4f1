/**
 * nsqlookupd's side of discovery: its TCP protocol V1, on which brokers register their topics and
 * channels, its registration database, and its HTTP API, on which clients look producers up.
 * Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.lookupd;
