/**
 * Presence updates into Kamailio's presentity table: {@link dev.ferry.presence.PresenceConsumer}
 * consumes presence, dialog and message-summary events (the JSON Kamailio's nsq module read) from a
 * channel and writes the rows Kamailio's presence module sends NOTIFYs from, over JDBC.
 */
package dev.ferry.presence;
