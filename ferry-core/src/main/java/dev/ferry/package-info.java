/**
 * Ferry's public API: {@link dev.ferry.Bus} to publish and subscribe, {@link dev.ferry.Message}
 * for what a handler receives, {@link dev.ferry.Subscription} to control a consumer, and the option
 * and statistics records around them. The patterns built on them add one entry type each:
 * request/reply ({@link dev.ferry.Query}, with {@link dev.ferry.Bus#query(String, String)} and {@link
 * dev.ferry.Bus#respond(String, String, dev.ferry.Query.Responder)}), event routing ({@link
 * dev.ferry.EventRouter}, with the {@link dev.ferry.Json} helpers), and dead letters ({@link
 * dev.ferry.DeadLetter}, with the {@link dev.ferry.AckMode} of {@link dev.ferry.SubscribeOptions}).
 */
package dev.ferry;
