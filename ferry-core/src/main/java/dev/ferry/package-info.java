/**
 * Ferry's public API: {@link dev.ferry.Bus} to publish and subscribe, {@link dev.ferry.Message}
 * for what a handler receives, {@link dev.ferry.Subscription} to control a consumer, and the option
 * and statistics records around them. A bus runs on an engine chosen by URI ({@link
 * dev.ferry.Bus#open(String)}): its own settings are {@link dev.ferry.BusConfig}, the embedded
 * engine's {@link dev.ferry.EmbeddedEngineConfig}. Request/reply ({@link dev.ferry.Query}, with {@link
 * dev.ferry.Bus#query(String, String)} and {@link dev.ferry.Bus#respond(String, String,
 * dev.ferry.Query.Responder)}) and dead letters ({@link dev.ferry.DeadLetter}, with the {@link
 * dev.ferry.AckMode} of {@link dev.ferry.SubscribeOptions}) are part of the bus; what is built on it
 * has a package of its own: {@link dev.ferry.routing} (event routing) and {@link dev.ferry.busmq}
 * (busmq's queue and duplex).
 */
package dev.ferry;
