package dev.tandem.serving.druid;

import dev.tandem.core.view.Views;
import dev.tandem.serving.query.QueryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Without a Druid to talk to: clear errors, never a wrong answer (no cluster needed). */
class DruidUnreachableTest {

    private static String deadUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return "http://127.0.0.1:" + port; // closed again: connections are refused
    }

    @Test
    void anUnreachableDruidLeavesTheSnapshotEmptyAndSaysWhy() throws IOException {
        DruidBatchSource source = new DruidBatchSource(new DruidClient(deadUrl()), () -> 0L);
        assertThat(source.check().exists()).isFalse();
        assertThat(source.lastError()).hasValueSatisfying(e -> assertThat(e).contains("unreachable"));
        assertThatThrownBy(source::reload).isInstanceOf(IOException.class).hasMessageContaining("unreachable");
    }

    @Test
    void aQueryWhoseBatchPartDruidCannotAnswerIsA503() throws IOException {
        DruidBatchView view = new DruidBatchView(new DruidClient(deadUrl()), Views.CAMPAIGN_HOURLY, "r1", 10);
        assertThatThrownBy(() -> view.slice(0, 3_600_000L, Map.of("campaign_id", Set.of("c1"))))
                .isInstanceOfSatisfying(QueryException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.detail()).contains("Druid");
                });
        // an empty filter needs no round trip: nothing can match
        assertThat(view.slice(0, 3_600_000L, Map.of("campaign_id", Set.of())).size()).isZero();
    }

    @Test
    void theUrlMustBeHttp() {
        assertThatThrownBy(() -> new DruidClient("127.0.0.1:8888")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http");
    }
}
