/**
 * NSQ's wire protocol for Ferry. The frame codec is here now; the broker's server transport and the
 * Java client build on it.
 */
package dev.ferry.nsq;
