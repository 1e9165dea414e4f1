/**
 * The broker's Prometheus metrics: {@link dev.ferry.nsq.internal.metrics.BrokerMetrics} binds the
 * engine's statistics and timings, the protocol's counters ({@link
 * dev.ferry.nsq.internal.metrics.BrokerTraffic}) and the JVM's meters to a Micrometer Prometheus
 * registry, under the bounded labels of {@link dev.ferry.nsq.internal.metrics.MetricLabels}.
 * Internal: not for use outside Ferry.
 */
package dev.ferry.nsq.internal.metrics;
