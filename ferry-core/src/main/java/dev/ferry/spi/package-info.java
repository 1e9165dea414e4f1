/**
 * The engine SPI: the small contract every storage engine (embedded, Redis) offers to the bus and
 * to the NSQ layer ({@link dev.ferry.spi.Engine}), and how engines are chosen by URI ({@link
 * dev.ferry.spi.EngineProvider}, found by {@link dev.ferry.spi.Engines}). A shared conformance suite
 * in the test jar runs against each engine.
 */
package dev.ferry.spi;
