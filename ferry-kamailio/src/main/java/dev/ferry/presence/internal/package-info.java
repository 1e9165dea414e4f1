/**
 * The presence consumer's parts: reading an event's JSON ({@link
 * dev.ferry.presence.internal.PresenceEventParser}), the PIDF, dialog-info and message-summary
 * bodies, the presentity table ({@link dev.ferry.presence.internal.PresentityTable}) and the thread
 * that writes to it in batches ({@link dev.ferry.presence.internal.PresentityWriter}). Internal: not
 * for use outside ferry-kamailio.
 */
package dev.ferry.presence.internal;
