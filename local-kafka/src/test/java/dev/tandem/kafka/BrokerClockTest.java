package dev.tandem.kafka;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerClockTest {

    @Test
    void theJavaClockViewFollowsTheBrokerClockForward() {
        BrokerClock broker = new BrokerClock();
        Clock clock = broker.asClock();
        broker.advance(Duration.ofHours(5));
        long expected = System.currentTimeMillis() + Duration.ofHours(5).toMillis();
        assertThat(clock.millis()).isBetween(expected - 5_000, expected + 5_000);
        assertThat(Math.abs(clock.millis() - broker.milliseconds())).isLessThan(1_000);
        broker.advanceTo(broker.milliseconds() - 60_000); // never backwards
        assertThat(clock.millis()).isGreaterThanOrEqualTo(expected - 5_000);
        assertThatThrownBy(() -> broker.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
