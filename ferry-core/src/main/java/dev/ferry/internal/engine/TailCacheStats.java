package dev.ferry.internal.engine;

/**
 * A snapshot of the engine's tail-cache budget.
 *
 * @param budgetBytes the budget ({@link dev.ferry.EmbeddedEngineConfig#tailCacheBytes()})
 * @param usedBytes what the caches hold now
 * @param caches how many topic caches share the budget
 * @param trimmedRecords records the budget's policy dropped from a cache since the engine opened
 *     (they are read from disk instead); a cache's own per-topic bound is not counted here
 * @param trimmedBytes the encoded size of those records
 */
public record TailCacheStats(long budgetBytes, long usedBytes, int caches, long trimmedRecords, long trimmedBytes) {}
