package dev.tandem.e2e;

import dev.tandem.kafka.BrokerClock;

/**
 * "Now" for the Flink job's watermarks in the scenario: the broker's clock, which the scenario
 * moves forward. Flink's MiniCluster runs in this JVM, so operators see this static holder; the
 * production strategy uses the system clock, which in production is the same clock as the broker's.
 */
final class E2EClock {

    private static volatile BrokerClock clock = new BrokerClock();

    private E2EClock() {
    }

    static void use(BrokerClock c) {
        clock = c;
    }

    static long now() {
        return clock.milliseconds();
    }
}
