package dev.ferry.async;

/**
 * A named piece of work that {@link Async} runs later, or at once, in a worker of a group (a
 * Kamailio {@code route[NAME]}). Runs on a worker thread, never on the caller's; may block that
 * worker, which holds up the group's other tasks.
 */
@FunctionalInterface
public interface AsyncRoute {
    /**
     * Runs the route.
     *
     * @throws Exception to fail the task: the future its caller holds completes with it (a durable
     *     route is redelivered with the bus's backoff)
     */
    void run(AsyncTask task) throws Exception;
}
