package dev.ferry.bench.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The disk filled by another process in the middle of a stream: the data directory is a small
 * file system of its own (a tmpfs, else an ext4 image on a loop device; skipped when neither can be
 * mounted), {@code dd} fills it while a publisher runs, the broker must refuse publishes with a
 * plain reason, accept them again once the space is back, and after a kill -9 deliver every message
 * it acknowledged.
 */
final class DiskFull {
    private static final String TOPIC = "chaos.full";
    private static final String FAULT = "disk filled by another process mid-stream";

    private DiskFull() {}

    static Row run(Run run) throws Exception {
        Path dir = run.dir("diskfull");
        Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        String how = mount(dir, mnt);
        if (how.startsWith("skipped")) {
            return Row.skipped(FAULT, how);
        }
        try {
            return fill(run, mnt, how);
        } finally {
            exec("umount", mnt.toString());
            exec("sh", "-c", "losetup -j " + dir.resolve("disk.img") + " | cut -d: -f1 | xargs -r losetup -d");
        }
    }

    /** Mounts a 32 MiB file system on {@code mnt}: what was mounted, or "skipped: why". */
    private static String mount(Path dir, Path mnt) throws Exception {
        String tmpfs = exec("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mnt.toString());
        if (tmpfs.isEmpty()) {
            return "a 32 MiB tmpfs";
        }
        Path image = dir.resolve("disk.img");
        String loop = exec(
                "sh",
                "-c",
                "truncate -s 32M " + image + " && mkfs.ext4 -q " + image + " && mount -o loop " + image + " " + mnt);
        if (loop.isEmpty()) {
            return "a 32 MiB ext4 image on a loop device";
        }
        return "skipped: cannot mount a small file system here (tmpfs: " + tmpfs + "; loop device: " + loop
                + "); run as root on a machine that allows mounts";
    }

    private static Row fill(Run run, Path mnt, String how) throws Exception {
        Path data = mnt.resolve("data");
        Ledger ledger = new Ledger();
        byte[] pad = "z".repeat(1000).getBytes(StandardCharsets.UTF_8);
        int n = 0;
        String refusal = null;
        String httpRefusal = null;
        int refusedCount = 0;
        // min-free-disk-bytes 0: let the file system itself run out, as when another process fills it
        Path log = mnt.getParent().resolve("broker.log"); // not on the file system that fills
        Broker b = run.brokerLoggingTo(log, data, "--min-free-disk-bytes", "0");
        NsqConnection c = NsqConnection.open(b.tcpPort(), 10_000);
        int reconnects = 0;
        try {
            for (; n < 1000; n++) {
                publish(c, n, pad, ledger);
            }
            String dd = exec("dd", "if=/dev/zero", "of=" + mnt.resolve("filler"), "bs=64k");
            // dd stops at "No space left on device"; a few more blocks may still fit in the broker's pages
            for (int i = 0; i < 5000 && refusedCount < 50; i++, n++) {
                String answer;
                try {
                    answer = publish(c, n, pad, ledger);
                } catch (IOException e) {
                    // nsqd closes the connection after E_PUB_FAILED; so may Ferry: connect again
                    c.close();
                    c = NsqConnection.open(b.tcpPort(), 10_000);
                    reconnects++;
                    continue;
                }
                if (!answer.equals("OK")) {
                    refusedCount++;
                    refusal = refusal == null ? answer : refusal;
                }
            }
            Broker.HttpAnswer h =
                    b.http("POST", "/pub?topic=" + TOPIC, body(n++, pad).getBytes());
            httpRefusal = h.status() + " " + h.body().strip();
            if (h.status() == 200) {
                ledger.acknowledged(body(n - 1, pad));
            }
            if (refusal == null) {
                return Row.fail(FAULT, "the disk filled (" + dd + ") but no publish was refused");
            }
            Files.delete(mnt.resolve("filler"));
            c.close();
            c = NsqConnection.open(b.tcpPort(), 10_000);
            // the broker reads the free space again at most every half second: retry as a client would
            long freed = System.nanoTime();
            String again = "";
            while (!again.equals("OK") && System.nanoTime() - freed < 10_000_000_000L) {
                try {
                    again = publish(c, n++, pad, ledger);
                } catch (IOException e) {
                    c.close();
                    c = NsqConnection.open(b.tcpPort(), 10_000);
                }
                if (!again.equals("OK")) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                }
            }
            long acceptedAfterMs = (System.nanoTime() - freed) / 1_000_000;
            if (!again.equals("OK")) {
                return Row.fail(FAULT, "10 s after the space came back a publish still answered " + again);
            }
            c.close();
            b.kill();
            b = run.brokerLoggingTo(log, data);
            Set<String> acked = ledger.acknowledgedBodies();
            Ledger after = new Ledger();
            Consumer.drain(b, TOPIC, "c", after, acked, 8_000, 0, body -> true);
            Set<String> lost = after.missing(acked);
            b.stop();
            String result = String.format(
                    "on %s: %,d acknowledged before and after the disk filled; refused with \"%s\" (HTTP: %s),"
                            + " the connection closed %d times; publishes accepted again %d ms after the space came back; "
                            + "after the space came back and a kill -9, %,d of %,d delivered, %,d lost",
                    how,
                    acked.size(),
                    refusal,
                    httpRefusal,
                    reconnects,
                    acceptedAfterMs,
                    acked.size() - lost.size(),
                    acked.size(),
                    lost.size());
            return Row.of(lost.isEmpty(), FAULT, result);
        } finally {
            c.close();
            b.close();
        }
    }

    private static String publish(NsqConnection c, int n, byte[] pad, Ledger ledger) throws IOException {
        String body = body(n, pad);
        String answer = c.publish(TOPIC, body.getBytes(StandardCharsets.UTF_8));
        if (answer.equals("OK")) {
            ledger.acknowledged(body);
        }
        return answer;
    }

    private static String body(int n, byte[] pad) {
        return "full-" + n + "-" + new String(pad, StandardCharsets.UTF_8);
    }

    /** Runs a command: "" when it succeeded, else its output (or exit code). */
    static String exec(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = p.waitFor();
            if (code == 0 && !List.of(command).contains("if=/dev/zero")) {
                return "";
            }
            return out.isEmpty()
                    ? "exit code " + code
                    : out.lines().reduce((a, b2) -> b2).orElse(out);
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
