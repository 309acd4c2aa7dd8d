package dev.tandem.serving.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A lean open-loop HTTP/1.1 load generator for the latency measurement: requests are scheduled at
 * a fixed rate and each one's latency runs from its <em>scheduled</em> send time to the last byte
 * of its answer, so a stalled server is not hidden by coordinated omission (a request waiting for
 * a free connection is waiting for the server). Keep-alive connections, one worker thread each,
 * plain blocking sockets and reused buffers: almost no allocation per request, so the generator's
 * own garbage collection does not show up as server latency, and it costs little CPU on the same
 * 2 cores.
 */
final class OpenLoop {

    /** The figures of one run; latencies in nanoseconds, sorted. */
    record Result(long[] sortedLatency, long errors, long unfinished, long bytes, double seconds) {
    }

    private OpenLoop() {
    }

    static Result run(String host, int port, String pathAndQuery, boolean gzip, int rate, int seconds, int connections)
            throws InterruptedException {
        byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        int total = rate * seconds;
        long[] latency = new long[total];
        Arrays.fill(latency, Long.MAX_VALUE);
        long[] scheduled = new long[total];
        BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(total + connections);
        AtomicLong errors = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        Thread[] workers = new Thread[connections];
        for (int w = 0; w < connections; w++) {
            workers[w] = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                Socket s = null;
                InputStream in = null;
                OutputStream out = null;
                try {
                    while (true) {
                        int i = queue.take();
                        if (i < 0) {
                            return;
                        }
                        try {
                            if (s == null) {
                                s = new Socket(host, port);
                                s.setTcpNoDelay(true);
                                in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                                out = s.getOutputStream();
                            }
                            out.write(request);
                            out.flush();
                            long n = readResponse(in, buf);
                            latency[i] = System.nanoTime() - scheduled[i];
                            bytes.addAndGet(n);
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            latency[i] = System.nanoTime() - scheduled[i];
                            closeQuietly(s);
                            s = null;
                        }
                        done.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    closeQuietly(s);
                }
            }, "open-loop-" + w);
            workers[w].setDaemon(true);
            workers[w].start();
        }
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < total; i++) {
            scheduled[i] = start + i * interval;
            long wait = scheduled[i] - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            queue.add(i);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (done.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (int w = 0; w < connections; w++) {
            queue.add(-1);
        }
        long unfinished = total - done.get();
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        return new Result(sorted, errors.get(), unfinished, bytes.get(), elapsed);
    }

    /** Reads one response (Content-Length or chunked body); returns the body size; IOException unless 200. */
    static long readResponse(InputStream in, byte[] buf) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("answer: " + status);
        }
        long length = -1;
        boolean chunked = false;
        String h;
        while (!(h = line(in)).isEmpty()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            if (length < 0) {
                throw new IOException("no Content-Length");
            }
            skip(in, buf, length);
            return length;
        }
        long total = 0;
        while (true) {
            String size = line(in);
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return total;
            }
            skip(in, buf, n);
            total += n;
            line(in);
        }
    }

    private static void skip(InputStream in, byte[] buf, long n) throws IOException {
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new IOException("connection closed mid-answer");
            }
            n -= r;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
