package dev.tandem.speed.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per live thread of this JVM, grouped by what the thread does (broker, Kafka clients of
 * the job, each Flink task chain, checkpointing), so a benchmark can say where the CPU went
 * between two moments. Process CPU not covered by live threads (GC, JIT, threads that ended) is
 * reported as the remainder.
 */
final class ThreadCpu {

    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> cpu = new HashMap<>();
    /** CPU nanos of the JVM's own threads (invisible to ThreadMXBean) by group, from /proc (Linux). */
    private final Map<String, Long> vmThreads = new HashMap<>();

    static ThreadCpu snapshot() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadCpu t = new ThreadCpu();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long c = mx.getThreadCpuTime(info.getThreadId());
            if (c >= 0) {
                t.names.put(info.getThreadId(), info.getThreadName());
                t.cpu.put(info.getThreadId(), c);
            }
        }
        t.readVmThreads();
        return t;
    }

    /** GC and JIT threads by their native names in /proc/self/task/N/stat (utime + stime, clock ticks). */
    private void readVmThreads() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return;
        }
        for (java.io.File task : tasks) {
            try {
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                String g = comm.startsWith("GC Thread") || comm.equals("VM Thread") || comm.startsWith("G1")
                        ? "GC (GC workers + VM thread)"
                        : comm.startsWith("C2 Compiler") ? "JIT C2" : comm.startsWith("C1 Compiler") ? "JIT C1" : null;
                if (g != null) {
                    vmThreads.merge(g, ticks * 10_000_000L, Long::sum); // 100 ticks per second
                }
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
    }

    static String group(String name) {
        String n = name.toLowerCase();
        if (n.contains("kafka-producer-network-thread")) {
            return "job: Kafka producers (sinks)";
        }
        if (n.contains("source data fetcher")) {
            return "job: Kafka consumer (source fetcher)";
        }
        if (name.matches(".*\\(\\d+/\\d+\\)#\\d+.*")) {
            // a Flink task thread: name up to the subtask index
            return "task: " + name.replaceAll("\\s*\\(\\d+/\\d+\\)#\\d+.*", "");
        }
        if (n.contains("asyncoperations") || n.contains("materializ") || n.startsWith("changelog") || n.contains("dstl")
                || n.contains("checkpoint")) {
            return "job: checkpointing (async snapshots, changelog upload)";
        }
        if (n.contains("flink") || n.contains("pekko") || n.contains("akka") || n.contains("jobmanager")
                || n.contains("taskmanager") || n.contains("mini-cluster") || n.contains("rpc") || n.contains("blob")
                || n.contains("metrics") || n.contains("timer") || n.contains("sourcecoordinator")) {
            return "flink runtime (rpc, coordinators, timers)";
        }
        return "broker and other JVM threads";
    }

    /** Prints CPU seconds per group between {@code before} and this snapshot, with the process total. */
    void printSince(ThreadCpu before, long processCpuNanos, long events) {
        Map<String, Long> byGroup = new TreeMap<>();
        Map<String, Long> byThread = new HashMap<>();
        long sum = 0;
        for (Map.Entry<Long, Long> e : cpu.entrySet()) {
            long d = e.getValue() - before.cpu.getOrDefault(e.getKey(), 0L);
            String name = names.get(e.getKey());
            byGroup.merge(group(name), d, Long::sum);
            byThread.merge(name.replaceAll("\\d+", "#"), d, Long::sum);
            sum += d;
        }
        for (Map.Entry<String, Long> v : vmThreads.entrySet()) {
            long d = v.getValue() - before.vmThreads.getOrDefault(v.getKey(), 0L);
            byGroup.put(v.getKey(), d);
            sum += d;
        }
        byGroup.put(vmThreads.isEmpty() ? "GC, JIT and ended threads (process CPU - live threads)"
                : "other JVM threads and ended threads (process CPU - the above)", processCpuNanos - sum);
        System.out.printf("CPU between 10%% and 90%%: %.1f s of process CPU for %,d events (%.1f µs per event)%n",
                processCpuNanos / 1e9, events, processCpuNanos / 1e3 / Math.max(1, events));
        sortedDesc(byGroup).forEach((g, d) -> System.out.printf("  %5.1f %%  %6.1f s  %s%n",
                100.0 * d / processCpuNanos, d / 1e9, g));
        System.out.println("  top threads (digits folded):");
        sortedDesc(byThread).entrySet().stream().limit(12).forEach(e -> System.out.printf("    %5.1f %%  %s%n",
                100.0 * e.getValue() / processCpuNanos, e.getKey()));
    }

    private static Map<String, Long> sortedDesc(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
