/**
 * The patterns built on the public {@link dev.ferry.Bus} API, usable by any bus implementation:
 * request/reply ({@link dev.ferry.internal.patterns.QueryClient}), client-side dead letters ({@link
 * dev.ferry.internal.patterns.DeadLetters}). Internal: not for use outside Ferry.
 */
package dev.ferry.internal.patterns;
