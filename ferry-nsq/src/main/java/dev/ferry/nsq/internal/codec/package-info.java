/**
 * The TCP protocol V2 codec: commands in, frames out. Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.codec;
