/**
 * The busmq patterns' machinery behind {@link dev.ferry.busmq.BusQueue} and {@link dev.ferry.busmq.Duplex}:
 * consuming a queue in order with at-most-once or at-least-once delivery, and the duplex envelope.
 * Not API: anything here may change without notice.
 */
package dev.ferry.internal.busmq;
