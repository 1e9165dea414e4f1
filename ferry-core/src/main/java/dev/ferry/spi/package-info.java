/**
 * The engine SPI: the small contract every storage engine (embedded, Redis) offers to the bus and
 * to the NSQ layer; its data path completes later ({@link java.util.concurrent.CompletionStage}s),
 * so that an engine over the network never blocks an event loop or a dispatch thread. A shared
 * conformance suite in the test jar runs against each engine.
 */
package dev.ferry.spi;
