/**
 * The TCP protocol V2 codec, both ways: the server decodes commands and encodes frames, the client
 * encodes commands and decodes frames. Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.codec;
