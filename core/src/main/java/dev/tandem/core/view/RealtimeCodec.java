package dev.tandem.core.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The record format of {@code tandem.realtime-views}, shared by the speed layer (writer) and the
 * serving layer (reader).
 * <ul>
 *   <li>key: UTF-8 JSON {@code ["campaign_hourly",["c1"],<bucket_start ms>,<tag ms>]} — readable in
 *       kafka-console-consumer and unambiguous for any dimension value;</li>
 *   <li>value: one format byte ({@value #FORMAT_V1}) then {@link Aggregate#toBytes()}: the
 *       absolute aggregate of that key and tag, not a delta;</li>
 *   <li>a null value (tombstone) removes the key once its tag has left the speed retention.</li>
 * </ul>
 */
public final class RealtimeCodec {

    public static final byte FORMAT_V1 = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The identity of one changelog entry. */
    public record RealtimeKey(String view, ViewKey key, long tag) {
    }

    private RealtimeCodec() {
    }

    public static byte[] encodeKey(String view, ViewKey key, long tag) {
        ArrayNode a = MAPPER.createArrayNode();
        a.add(view);
        ArrayNode dims = a.addArray();
        key.dims().forEach(dims::add);
        a.add(key.bucketStart());
        a.add(tag);
        return a.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static RealtimeKey decodeKey(byte[] bytes) {
        try {
            JsonNode a = MAPPER.readTree(bytes);
            if (a == null || !a.isArray() || a.size() != 4 || !a.get(1).isArray()) {
                throw new IllegalArgumentException("realtime key is not [view, [dims], bucket, tag]");
            }
            List<String> dims = new ArrayList<>();
            a.get(1).forEach(d -> dims.add(d.asText()));
            return new RealtimeKey(a.get(0).asText(), new ViewKey(dims, a.get(2).asLong()), a.get(3).asLong());
        } catch (IOException e) {
            throw new IllegalArgumentException("realtime key is not JSON: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeValue(Aggregate a) {
        byte[] body = a.toBytes();
        byte[] out = new byte[body.length + 1];
        out[0] = FORMAT_V1;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    public static Aggregate decodeValue(ViewDefinition view, byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != FORMAT_V1) {
            throw new IllegalArgumentException("unknown realtime value format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
        }
        return Aggregate.fromBytes(view, Arrays.copyOfRange(bytes, 1, bytes.length));
    }
}
