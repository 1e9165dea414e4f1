/**
 * The engine SPI: the small contract every storage engine (embedded, Redis) offers to the bus and
 * to the NSQ layer. A shared conformance suite in the test jar runs against each engine.
 */
package dev.ferry.spi;
