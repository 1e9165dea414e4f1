/**
 * Ferry's public API: {@link dev.ferry.Bus} to publish and subscribe, {@link dev.ferry.Message}
 * for what a handler receives, {@link dev.ferry.Subscription} to control a consumer, and the option
 * and statistics records around them.
 */
package dev.ferry;
