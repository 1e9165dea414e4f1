/**
 * The engine SPI: the small contract every storage engine (embedded, Redis) offers to the bus and
 * to the NSQ layer ({@link dev.ferry.spi.Engine}); its data path completes later ({@link
 * java.util.concurrent.CompletionStage}s), so that an engine over the network never blocks an event
 * loop or a dispatch thread. Engines are chosen by URI ({@link dev.ferry.spi.EngineProvider}, found
 * by {@link dev.ferry.spi.Engines}). A shared conformance suite in the test jar runs against each
 * engine.
 */
package dev.ferry.spi;
