/**
 * The embedded engine: topic logs, channel state with its journal and retry store, and the
 * threads that time out, defer and sync. Internal: not for use outside Ferry.
 */
package dev.ferry.internal.engine;
