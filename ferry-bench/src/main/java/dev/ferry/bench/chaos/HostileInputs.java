package dev.ferry.bench.chaos;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile TCP and HTTP input: each case is sent on a connection of its own, its answer (an error
 * frame, a close, an HTTP status) is printed, and after each one the broker must still answer
 * {@code /ping} and acknowledge a PUB. A case passes on a refusal; an input the broker accepts as
 * valid, or a broker that stops answering, fails the row.
 */
final class HostileInputs {
    private static final int MIB = 1024 * 1024;

    private HostileInputs() {}

    /**
     * A TCP case: the bytes after the V2 magic, and whether nsqd accepts them too (then only the
     * broker's survival counts).
     */
    private record TcpCase(String name, byte[] bytes, boolean mayAccept) {
        TcpCase(String name, byte[] bytes) {
            this(name, bytes, false);
        }
    }

    static List<Row> run(Run run) throws Exception {
        Path data = run.dir("hostile").resolve("data");
        List<Row> rows = new ArrayList<>();
        try (Broker b = run.broker(data)) {
            rows.add(tcp(b));
            rows.add(http(b));
            rows.add(garbage(b, run.random("garbage")));
            rows.add(idle(b));
            b.stop();
        }
        return rows;
    }

    private static Row tcp(Broker b) throws IOException {
        List<TcpCase> cases = List.of(
                new TcpCase("IDENTIFY, 2 GiB length", concat(line("IDENTIFY"), int32(Integer.MAX_VALUE))),
                new TcpCase("IDENTIFY, negative length", concat(line("IDENTIFY"), int32(-1))),
                new TcpCase("IDENTIFY, not JSON", sized(line("IDENTIFY"), "{\"client_id\": ".getBytes())),
                new TcpCase(
                        "IDENTIFY, heartbeat_interval -5",
                        sized(line("IDENTIFY"), "{\"heartbeat_interval\":-5}".getBytes())),
                new TcpCase(
                        "IDENTIFY, heartbeat_interval 10^12",
                        sized(line("IDENTIFY"), "{\"heartbeat_interval\":1000000000000}".getBytes())),
                new TcpCase(
                        "IDENTIFY, output_buffer_size 2^40",
                        sized(line("IDENTIFY"), "{\"output_buffer_size\":1099511627776}".getBytes())),
                new TcpCase("IDENTIFY, msg_timeout -1", sized(line("IDENTIFY"), "{\"msg_timeout\":-1}".getBytes())),
                new TcpCase("IDENTIFY, sample_rate 101", sized(line("IDENTIFY"), "{\"sample_rate\":101}".getBytes())),
                new TcpCase(
                        "IDENTIFY, user_agent of 1 MiB",
                        sized(line("IDENTIFY"), ("{\"user_agent\":\"" + "u".repeat(MIB) + "\"}").getBytes()),
                        true),
                new TcpCase(
                        "IDENTIFY, JSON nested 100,000 deep",
                        sized(line("IDENTIFY"), ("[".repeat(100_000) + "]".repeat(100_000)).getBytes())),
                new TcpCase("PUB, 2 GiB length", concat(line("PUB chaos.hostile"), int32(Integer.MAX_VALUE))),
                new TcpCase("PUB, negative length", concat(line("PUB chaos.hostile"), int32(-2))),
                new TcpCase("PUB, empty body", concat(line("PUB chaos.hostile"), int32(0))),
                new TcpCase(
                        "MPUB, count 2^31",
                        concat(line("MPUB chaos.hostile"), int32(8), int32(Integer.MIN_VALUE), int32(0))),
                new TcpCase(
                        "MPUB, count larger than its body",
                        concat(line("MPUB chaos.hostile"), int32(12), int32(1000), int32(4), "abcd".getBytes())),
                new TcpCase(
                        "MPUB, message length past the body",
                        concat(line("MPUB chaos.hostile"), int32(12), int32(1), int32(1 << 30), "abcd".getBytes())),
                new TcpCase("2 MB line without a newline", "P".repeat(2 * MIB).getBytes()),
                new TcpCase("unknown command", line("EXPLODE now")),
                new TcpCase("PUB, 65-character topic", sized(line("PUB " + "t".repeat(65)), "x".getBytes())),
                new TcpCase("PUB, topic ../../etc", sized(line("PUB ../../etc"), "x".getBytes())),
                new TcpCase("DPUB, defer -1", sized(line("DPUB chaos.hostile -1"), "x".getBytes())),
                new TcpCase("DPUB, defer 10^12 ms", sized(line("DPUB chaos.hostile 1000000000000"), "x".getBytes())),
                new TcpCase("DPUB, defer not a number", sized(line("DPUB chaos.hostile soon"), "x".getBytes())),
                new TcpCase("SUB, channel bad/name", line("SUB chaos.hostile bad/name")),
                new TcpCase("SUB, 65-character channel", line("SUB chaos.hostile " + "c".repeat(65))),
                new TcpCase("REQ with a timeout of 2^63", line("REQ 0000000000000000 9223372036854775807")),
                new TcpCase("RDY before SUB", line("RDY 10")),
                new TcpCase("FIN of an unknown id before SUB", line("FIN 0000000000000000")),
                new TcpCase("AUTH without an auth server", sized(line("AUTH"), "secret".getBytes())));
        List<String> answers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (TcpCase c : cases) {
            String reaction;
            try (NsqConnection conn = NsqConnection.open(b.tcpPort(), 5_000)) {
                conn.raw(c.bytes());
                reaction = conn.reaction();
            } catch (IOException e) {
                reaction = "closed (" + e.getMessage() + ")";
            }
            answers.add(c.name() + ": " + reaction);
            if (reaction.startsWith("response OK") && !c.mayAccept()) {
                failures.add(c.name() + " accepted");
            }
            checkAlive(b, c.name(), failures);
        }
        // a valid frame after a huge but allowed body still works: 5 MiB MPUB is nsqd's max-body-size
        answers.forEach(a -> System.out.println("  tcp   " + a));
        return Row.of(
                failures.isEmpty(),
                "hostile NSQ TCP input (" + cases.size() + " kinds)",
                failures.isEmpty()
                        ? "each refused with an E_* error or a close; the broker answered /ping and PUB after each"
                        : String.join("; ", failures));
    }

    private static Row http(Broker b) throws IOException {
        record HttpCase(String name, String request, byte[] body) {}
        byte[] big = new byte[5 * MIB + 1];
        List<HttpCase> cases = List.of(
                new HttpCase("/pub, 65-character topic", "POST /pub?topic=" + "t".repeat(65), "x".getBytes()),
                new HttpCase("/pub, 5 MiB + 1 body", "POST /pub?topic=chaos.hostile", big),
                new HttpCase("/mpub, 5 MiB + 1 body", "POST /mpub?topic=chaos.hostile", big),
                new HttpCase("/pub, defer -1", "POST /pub?topic=chaos.hostile&defer=-1", "x".getBytes()),
                new HttpCase("/pub, defer not a number", "POST /pub?topic=chaos.hostile&defer=soon", "x".getBytes()),
                new HttpCase("/pub, empty body", "POST /pub?topic=chaos.hostile", new byte[0]),
                new HttpCase(
                        "/mpub?binary=true, count 2^31",
                        "POST /mpub?topic=chaos.hostile&binary=true",
                        concat(int32(Integer.MIN_VALUE), int32(1), "x".getBytes())),
                new HttpCase("path traversal /../../etc/passwd", "GET /../../etc/passwd", null),
                new HttpCase("path traversal /static/../../etc/passwd", "GET /static/../../etc/passwd", null),
                new HttpCase("path traversal, encoded", "GET /%2e%2e/%2e%2e/etc/passwd", null),
                new HttpCase("/topic/create?topic=../x", "POST /topic/create?topic=../x", null),
                new HttpCase("/pub without a topic", "POST /pub", "x".getBytes()),
                new HttpCase(
                        "/channel/create, 65-character channel",
                        "POST /channel/create?topic=chaos.hostile&channel=" + "c".repeat(65),
                        null),
                new HttpCase(
                        "/pub, defer 10^12 ms", "POST /pub?topic=chaos.hostile&defer=1000000000000", "x".getBytes()),
                new HttpCase("100 KB query string", "GET /stats?topic=" + "q".repeat(100_000), null),
                new HttpCase("unknown method", "BREW /pub?topic=chaos.hostile", null));
        List<String> failures = new ArrayList<>();
        for (HttpCase c : cases) {
            String status = rawHttp(b.httpPort(), c.request(), c.body());
            System.out.println("  http  " + c.name() + ": " + status);
            if (status.startsWith("2")) {
                failures.add(c.name() + " answered " + status);
            }
            checkAlive(b, c.name(), failures);
        }
        return Row.of(
                failures.isEmpty(),
                "hostile HTTP input (" + cases.size() + " kinds)",
                failures.isEmpty()
                        ? "each refused with a 4xx status; the broker answered /ping and PUB after each"
                        : String.join("; ", failures));
    }

    /** 500 connections that send seeded random bytes (after the V2 magic, or instead of it). */
    private static Row garbage(Broker b, Random random) {
        int closed = 0;
        int waiting = 0;
        int errors = 0;
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", b.tcpPort()), 5000);
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                if (i % 2 == 0) {
                    out.write("  V2".getBytes(StandardCharsets.US_ASCII));
                }
                out.write(junk);
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                while (in.read(buf) >= 0) {
                    // read until the broker closes
                }
                closed++;
            } catch (java.net.SocketTimeoutException e) {
                waiting++; // the bytes looked like the start of a command: the broker waits for the rest
            } catch (IOException e) {
                errors++; // reset by the broker
            }
        }
        List<String> failures = new ArrayList<>();
        checkAlive(b, "garbage", failures);
        return Row.of(
                failures.isEmpty(),
                "500 connections sending random bytes",
                String.format(
                        "%d closed by the broker, %d reset, %d still open after 2 s (waiting for the rest of a"
                                + " command); %s",
                        closed,
                        errors,
                        waiting,
                        failures.isEmpty() ? "the broker kept answering" : String.join("; ", failures)));
    }

    /** 2,000 sockets that connect and send nothing (half of them not even the magic). */
    private static Row idle(Broker b) {
        List<Socket> sockets = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long took;
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", b.tcpPort()), 5000);
                if (i % 2 == 0) {
                    s.getOutputStream().write("  V2".getBytes(StandardCharsets.US_ASCII));
                }
            }
            long start = System.nanoTime();
            checkAlive(b, "2,000 idle sockets open", failures);
            took = (System.nanoTime() - start) / 1_000_000;
        } catch (IOException e) {
            failures.add("opening idle sockets: " + e.getMessage());
            took = -1;
        } finally {
            sockets.forEach(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing our own idle socket: nothing to report
                }
            });
        }
        return Row.of(
                failures.isEmpty(),
                "2,000 idle sockets",
                failures.isEmpty()
                        ? "while they were open, /ping and a PUB answered in " + took + " ms"
                        : String.join("; ", failures));
    }

    /** Adds a failure unless the broker answers /ping and acknowledges a PUB. */
    static void checkAlive(Broker b, String after, List<String> failures) {
        if (!b.answersPing()) {
            failures.add("no /ping answer after " + after);
            return;
        }
        try (NsqConnection c = NsqConnection.open(b.tcpPort(), 10_000)) {
            String answer = c.publish("chaos.alive", "still there".getBytes(StandardCharsets.UTF_8));
            if (!answer.equals("OK")) {
                failures.add("PUB after " + after + " answered " + answer);
            }
        } catch (IOException e) {
            failures.add("PUB after " + after + " failed: " + e.getMessage());
        }
    }

    /** Sends one HTTP/1.1 request as written and returns the status line's code and reason. */
    private static String rawHttp(int port, String request, byte[] body) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            StringBuilder head = new StringBuilder(request).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            head.append("Connection: close\r\n");
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException e) {
                    // the broker may answer 413 and close before the whole body is sent
                }
            }
            out.flush();
            byte[] answer = s.getInputStream().readNBytes(200);
            String first = new String(answer, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0];
            return first.startsWith("HTTP/1.1 ") ? first.substring(9) : "no status line: " + first;
        } catch (IOException e) {
            return "closed (" + e.getMessage() + ")";
        }
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] sized(byte[] line, byte[] body) {
        return concat(line, int32(body.length), body);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            for (byte[] p : parts) {
                d.write(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
