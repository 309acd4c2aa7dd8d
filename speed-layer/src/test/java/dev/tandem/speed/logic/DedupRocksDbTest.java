package dev.tandem.speed.logic;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link DedupTest} case with the RocksDB state backend ({@code --state-backend rocksdb}):
 * held batches, the stored watermark and the legacy waiting lists are restored through RocksDB's
 * key and namespace iteration and serialized state, not the heap's object maps.
 */
class DedupRocksDbTest extends DedupTest {

    @Override
    protected StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }

    @Test
    void runsOnRocksDb() {
        assertThat(((Dedup) harness().getOperator()).getKeyedStateBackend().getClass().getSimpleName())
                .isEqualTo("RocksDBKeyedStateBackend");
    }
}
