package dev.tandem.batch.spark;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Spark's view of master-dataset rows ({@link EventSchemas#MASTER_EVENT}): the Spark schema
 * derived from core's Avro schema, and conversions between Spark rows and core's
 * {@link IngestedEvent}. Pure functions, usable inside Spark tasks.
 *
 * <p>{@link #MASTER} is the file layout ({@code event_time} a timestamp). The jobs work on the
 * validated log ({@code SparkViewPipeline#validate}): the same fields with {@code event_time} as
 * epoch millis, plus the ingest {@link #TAG}, the {@link #TYPE} code and the {@link #REJECT}
 * reason code (null when valid).
 */
public final class MasterRows {

    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TYPE = "event_type";
    public static final String EVENT_TIME = "event_time";
    public static final String INGEST_TIME = "ingest_time";
    public static final String PARTITION = "kafka_partition";
    public static final String OFFSET = "kafka_offset";
    public static final String TAG = "tag";
    public static final String REJECT = "reject";
    /**
     * The event type as the ordinal of core's {@link EventType} (null when unknown): the jobs compare
     * and carry this int after validation instead of the type's name.
     */
    public static final String TYPE = "type_code";

    /** The master file layout, derived from core's Avro schema (all columns nullable on read). */
    public static final StructType MASTER = sparkSchemaOf(EventSchemas.MASTER_EVENT);

    private MasterRows() {
    }

    /** A Spark schema for an Avro record schema (all columns nullable, timestamp-millis as timestamp). */
    public static StructType sparkSchemaOf(Schema avro) {
        List<StructField> fields = new ArrayList<>();
        for (Schema.Field f : avro.getFields()) {
            Schema s = f.schema();
            if (s.getType() == Schema.Type.UNION) {
                s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
            }
            fields.add(DataTypes.createStructField(f.name(), sparkType(s), true));
        }
        return DataTypes.createStructType(fields);
    }

    private static DataType sparkType(Schema s) {
        if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
            return DataTypes.TimestampType;
        }
        return switch (s.getType()) {
            case STRING, ENUM -> DataTypes.StringType;
            case LONG -> DataTypes.LongType;
            case INT -> DataTypes.IntegerType;
            case BYTES -> DataTypes.BinaryType;
            case BOOLEAN -> DataTypes.BooleanType;
            default -> throw new IllegalArgumentException("no Spark type for Avro " + s);
        };
    }

    /** Epoch millis of a timestamp column value, whichever Java type Spark chose for it. */
    public static long millis(Object v) {
        if (v instanceof Timestamp ts) {
            return ts.getTime();
        } else if (v instanceof Instant i) {
            return i.toEpochMilli();
        } else if (v instanceof Long l) {
            return l;
        }
        throw new IllegalArgumentException("not a timestamp: " + v);
    }

    /**
     * The event of a master row. An event_type core does not know reads as a null type,
     * which the validator rejects as {@code unknown_type}.
     */
    public static IngestedEvent toIngestedEvent(Row r) {
        EventType et = EventType.ofNameOrNull(r.getAs(EVENT_TYPE));
        Object time = r.getAs(EVENT_TIME);
        Event e = new Event(r.getAs(EVENT_ID), et, time == null ? Long.MIN_VALUE : millis(time), r.getAs("user_id"),
                r.getAs("region"), r.getAs("campaign_id"), r.getAs("ad_id"), r.getAs("impression_id"),
                r.getAs("order_id"), r.getAs("total_minor"), r.getAs("query"), r.getAs("currency"));
        return new IngestedEvent(e, r.<Long>getAs(INGEST_TIME), r.<Integer>getAs(PARTITION), r.<Long>getAs(OFFSET));
    }

    /** A master row (file layout) for an event at a log position. */
    public static Row toMasterRow(IngestedEvent ie) {
        Event e = ie.event();
        return RowFactory.create(e.eventId(), e.eventType() == null ? null : e.eventType().name(),
                new Timestamp(e.eventTime()), e.userId(), e.region(), e.campaignId(), e.adId(), e.impressionId(),
                e.orderId(), e.totalMinor(), e.query(), e.currency(), ie.ingestTime(), ie.partition(), ie.offset());
    }
}
