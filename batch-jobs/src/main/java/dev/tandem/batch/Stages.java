package dev.tandem.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Times the stages of a run, logs progress per stage, and keeps the timings for the manifest. */
public final class Stages {

    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    private final String run;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    public Stages(String run) {
        this.run = run;
    }

    public <T> T time(String stage, Supplier<T> work) {
        LOG.info("[{}] stage {} ...", run, stage);
        long t0 = System.nanoTime();
        T result = work.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        timings.merge(stage, ms, Long::sum);
        LOG.info("[{}] stage {} done in {} ms{}", run, stage, ms, result instanceof Number n ? " (" + n + ")" : "");
        return result;
    }

    public void time(String stage, Runnable work) {
        time(stage, () -> {
            work.run();
            return null;
        });
    }

    public void info(String message, Object... args) {
        LOG.info("[" + run + "] " + message, args);
    }

    /** Stage timings plus {@code total}. */
    public Map<String, Long> timings() {
        Map<String, Long> out = new LinkedHashMap<>(timings);
        out.put("total", (System.nanoTime() - started) / 1_000_000);
        return out;
    }
}
