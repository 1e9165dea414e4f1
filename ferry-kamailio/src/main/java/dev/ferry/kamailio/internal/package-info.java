/**
 * What the Kamailio-derived packages share ({@code dev.ferry.mqueue}, {@code dev.ferry.async}, {@code
 * dev.ferry.presence}): the parser of Kamailio's {@code name=value;...} definitions and the JDBC
 * layer of their tables ({@link dev.ferry.kamailio.internal.JdbcDatabase}, {@link
 * dev.ferry.kamailio.internal.SqlDialect}). Internal: not for use outside ferry-kamailio.
 */
package dev.ferry.kamailio.internal;
