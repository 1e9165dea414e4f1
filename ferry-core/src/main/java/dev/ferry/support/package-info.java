/**
 * Support for Ferry's own transports and tools, not for applications: the pieces ferry-nsq's client
 * and broker, ferry-server and ferry-bench share with the embedded bus (publish and subscribe
 * checks, in-flight bookkeeping, handler threads, the query client, client-side dead letters) and
 * the entry points to the embedded engine ({@link dev.ferry.support.EmbeddedEngines}, {@link
 * dev.ferry.support.EngineBuses}).
 *
 * <p>This is the only package of ferry-core besides the public API that other Ferry modules may use;
 * the module rules (ArchUnit, in ferry-server's tests) fail the build when a module reaches into
 * {@code dev.ferry.internal} instead. It is not API: anything here may change in any release
 * without notice, and applications should use {@link dev.ferry.Bus} and its options.
 */
package dev.ferry.support;
