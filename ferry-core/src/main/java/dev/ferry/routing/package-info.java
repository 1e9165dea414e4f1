/**
 * Event routing: {@link dev.ferry.routing.EventRouter} dispatches consumed JSON events to the route
 * named by the values of a key and a subkey, with {@link dev.ferry.routing.Json} to read values by
 * path.
 */
package dev.ferry.routing;
