/**
 * busmq's queue ({@link dev.ferry.busmq.BusQueue}) and bidirectional channel ({@link
 * dev.ferry.busmq.Duplex}), built on a {@link dev.ferry.Bus}'s topics and channels.
 */
package dev.ferry.busmq;
