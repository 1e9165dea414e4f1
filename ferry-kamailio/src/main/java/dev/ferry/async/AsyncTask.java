package dev.ferry.async;

import java.util.Objects;

/**
 * What a route receives when it runs.
 *
 * @param route the route's name
 * @param group the worker group it runs in
 * @param data the data given with {@code taskData} (Kamailio's {@code $async(data)}); empty for
 *     routes run without data
 */
public record AsyncTask(String route, String group, String data) {
    /** Rejects nulls. */
    public AsyncTask {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(data, "data");
    }
}
