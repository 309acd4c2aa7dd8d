package dev.tandem.batch.mapreduce;

/** What a running task attempt knows about itself; user counters go through it. */
public interface TaskContext {

    String jobName();

    /** {@code MAP} or {@code REDUCE}. */
    String taskType();

    int taskIndex();

    /** 0 for the first attempt, 1 for the first retry, … */
    int attempt();

    /** Adds to a user counter of this attempt; it counts in the job only if the attempt succeeds. */
    void count(String counter, long delta);
}
