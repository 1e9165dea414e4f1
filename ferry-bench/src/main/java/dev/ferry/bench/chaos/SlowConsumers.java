package dev.ferry.bench.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Slow consumers while a publisher runs: ten consumers on ten channels ask for 2,500 messages
 * each and never read their sockets, so every byte the broker sends them waits in its buffers; the
 * broker's resident memory is sampled while the publisher runs and must stay under a bound (it
 * must not grow with what is published).
 */
final class SlowConsumers {
    private static final String TOPIC = "chaos.slow";
    /** Enough to show whether memory follows what is published, without filling the disk. */
    private static final long MAX_BYTES = 1L << 30;

    private SlowConsumers() {}

    static Row run(Run run, long rssBoundMiB) throws Exception {
        String fault = "slow consumers (10 that never read) while a publisher runs";
        Path data = run.dir("slow").resolve("data");
        List<Socket> stalled = new ArrayList<>();
        try (Broker b = run.broker(data)) {
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", b.tcpPort()), 5000);
                s.setReceiveBufferSize(4096);
                s.getOutputStream()
                        .write(("  V2SUB " + TOPIC + " slow" + i + "\nRDY 2500\n").getBytes(StandardCharsets.US_ASCII));
                stalled.add(s);
            }
            long rssStart = b.rssBytes();
            long peak = rssStart;
            long published = 0;
            byte[] body = "s".repeat(4096).getBytes(StandardCharsets.UTF_8);
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(body);
            }
            List<String> failures = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(run.secondsPerRow());
            long nextSample = 0;
            long started = System.nanoTime();
            try (NsqConnection p = NsqConnection.open(b.tcpPort(), 30_000)) {
                while (System.nanoTime() < end && published < MAX_BYTES) {
                    String answer = p.publishMany(TOPIC, batch);
                    if (!answer.equals("OK")) {
                        failures.add("MPUB answered " + answer);
                        break;
                    }
                    published += (long) batch.size() * body.length;
                    if (System.nanoTime() > nextSample) {
                        peak = Math.max(peak, b.rssBytes());
                        nextSample = System.nanoTime() + 250_000_000L;
                    }
                }
            } catch (IOException e) {
                failures.add("publishing failed: " + e.getMessage());
            }
            peak = Math.max(peak, b.rssBytes());
            HostileInputs.checkAlive(b, "the slow consumers", failures);
            if (peak > rssBoundMiB << 20) {
                failures.add("RSS peaked at " + (peak >> 20) + " MiB, over the bound of " + rssBoundMiB + " MiB");
            }
            String result = String.format(
                    "%,d MiB published in %.0f s; broker RSS %,d MiB at the start, peak %,d MiB (bound %,d MiB)%s",
                    published >> 20,
                    (System.nanoTime() - started) / 1e9,
                    rssStart >> 20,
                    peak >> 20,
                    rssBoundMiB,
                    failures.isEmpty() ? "" : "; " + String.join("; ", failures));
            b.stop();
            return Row.of(failures.isEmpty(), fault, result);
        } finally {
            for (Socket s : stalled) {
                try {
                    s.close();
                } catch (IOException e) {
                    // our own socket: nothing to report
                }
            }
        }
    }
}
