/**
 * NSQ protocol rules shared by the TCP and HTTP sides: errors with nsqd's codes and texts, and the
 * parsing of MPUB bodies. Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.protocol;
