package dev.tandem.core.view;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * The one HyperLogLog configuration of Tandem, so that sketches from every layer merge:
 * Apache DataSketches HLL, lgK = {@value #LG_K} (about 1.6 % standard error), type HLL_8,
 * items hashed as their UTF-8 string ({@link HllSketch#update(String)}), stored as the compact
 * serialization.
 *
 * <p>Estimates use the composite estimator, which depends only on the sketch's registers: a sketch
 * built item by item and the union of partial sketches over the same items give the same estimate,
 * whichever engine and merge order produced them. (The default HIP estimator does not have that
 * property across unions.)
 */
public final class Hll {

    public static final int LG_K = 12;
    public static final TgtHllType TYPE = TgtHllType.HLL_8;

    private Hll() {
    }

    public static HllSketch newSketch() {
        return new HllSketch(LG_K, TYPE);
    }

    public static HllSketch sketchOf(Iterable<String> items) {
        HllSketch s = newSketch();
        for (String item : items) {
            s.update(item);
        }
        return s;
    }

    /** The union of two sketches as a new sketch; inputs are not changed. */
    public static HllSketch union(HllSketch a, HllSketch b) {
        Union u = new Union(LG_K);
        u.update(a);
        u.update(b);
        return u.getResult(TYPE);
    }

    public static byte[] toBytes(HllSketch s) {
        return s.toCompactByteArray();
    }

    public static HllSketch fromBytes(byte[] bytes) {
        return HllSketch.heapify(bytes);
    }

    public static double estimate(HllSketch s) {
        return s.getCompositeEstimate();
    }

    public static double estimate(byte[] sketch) {
        return estimate(fromBytes(sketch));
    }

    /**
     * The estimate as users see it: rounded to a whole count. (Below a few hundred items the
     * sketch is exact up to floating-point noise, e.g. 3.000000015.)
     */
    public static long estimateCount(HllSketch s) {
        return Math.round(estimate(s));
    }
}
