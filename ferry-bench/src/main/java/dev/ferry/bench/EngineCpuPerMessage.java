package dev.ferry.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time per message of {@link EngineBenchmark}'s paths, for A/B comparisons on a shared
 * machine: where other work competes for the cores, JMH's messages per second move with the load,
 * while the CPU time the calling thread spends per message moves much less. Runs the chosen method
 * in a loop for 8 s of warm-up, then for the given seconds, and prints the calling thread's CPU
 * time, the process's CPU time (the sync thread included) and the wall time, each per message.
 *
 * <p>Run: {@code java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.EngineCpuPerMessage
 * [appendClaimAck|append] [bodySize] [seconds]}
 */
public final class EngineCpuPerMessage {
    private static final long WARM_UP_NANOS = 8_000_000_000L;

    private EngineCpuPerMessage() {}

    /** Measures {@code args[0]} (default appendClaimAck) with bodies of {@code args[1]} bytes for {@code args[2]} s. */
    public static void main(String[] args) {
        String method = args.length > 0 ? args[0] : "appendClaimAck";
        if (!method.equals("appendClaimAck") && !method.equals("append")) {
            System.err.println("EngineCpuPerMessage: the method is appendClaimAck or append, not '" + method + "'");
            System.exit(2);
        }
        EngineBenchmark bench = new EngineBenchmark();
        bench.bodySize = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Runnable step = method.equals("append") ? bench::append : bench::appendClaimAck;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        bench.open();
        try {
            long warmEnd = System.nanoTime() + WARM_UP_NANOS;
            while (System.nanoTime() < warmEnd) {
                step.run();
            }
            long thread0 = threads.getCurrentThreadCpuTime();
            long process0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            long end = wall0 + seconds * 1_000_000_000L;
            long messages = 0;
            while (System.nanoTime() < end) {
                step.run();
                messages += EngineBenchmark.BATCH;
            }
            double thread = (threads.getCurrentThreadCpuTime() - thread0) / (double) messages;
            double process = (os.getProcessCpuTime() - process0) / (double) messages;
            double wall = (System.nanoTime() - wall0) / (double) messages;
            System.out.printf(
                    "%s, body %d B: %,d messages; per message: thread CPU %.0f ns, process CPU %.0f ns, wall %.0f ns%n",
                    method, bench.bodySize, messages, thread, process, wall);
        } finally {
            bench.close();
        }
    }
}
