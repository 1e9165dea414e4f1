/**
 * What the Kamailio-derived packages share ({@code dev.ferry.mqueue}, {@code dev.ferry.async}): the
 * parser of Kamailio's {@code name=value;...} definitions. Internal: not for use outside
 * ferry-kamailio.
 */
package dev.ferry.kamailio.internal;
