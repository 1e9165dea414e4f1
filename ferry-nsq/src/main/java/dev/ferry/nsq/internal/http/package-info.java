/** nsqd's HTTP API over an engine. Internal: not for use outside Ferry. */
package dev.ferry.nsq.internal.http;
