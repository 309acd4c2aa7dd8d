package dev.tandem.datasets.generate;

/**
 * Everything that shapes generated data; the same config (seed included) gives the same bytes.
 *
 * @param seed          the only source of randomness
 * @param eventsPerDay  records per day before duplicates (valid and bad), spread by a daily rhythm
 * @param lateRate      share of events whose event time lies minutes to 3 days before ingest
 * @param duplicateRate share of records a producer retry sends twice
 * @param badRate       share of malformed records (every reject reason but unknown_type, which
 *                      Avro cannot express; JSON edges cover that one)
 * @param v1Share       share of events written by old producers with schema v1 (no currency)
 * @param users         distinct users (Zipf popularity)
 * @param campaigns     distinct campaigns (Zipf popularity: a few hot campaigns, a long tail)
 * @param products      distinct products (Zipf popularity; prices per product)
 * @param partitions    partitions of tandem.events; records are keyed by user_id
 */
public record GeneratorConfig(long seed, long eventsPerDay, double lateRate, double duplicateRate,
                              double badRate, double v1Share, int users, int campaigns, int products,
                              int partitions) {

    public GeneratorConfig {
        requireRate("lateRate", lateRate);
        requireRate("duplicateRate", duplicateRate);
        requireRate("badRate", badRate);
        requireRate("v1Share", v1Share);
        if (eventsPerDay < 0 || users < 1 || campaigns < 1 || products < 1 || partitions < 1) {
            throw new IllegalArgumentException("eventsPerDay must be ≥ 0 and users, campaigns, products, partitions ≥ 1");
        }
    }

    /** Defaults: 1 % late, 0.5 % duplicates, 0.1 % bad, a quarter of producers still on v1. */
    public static GeneratorConfig defaults(long seed, long eventsPerDay) {
        return new GeneratorConfig(seed, eventsPerDay, 0.01, 0.005, 0.001, 0.25, 50_000, 200, 500, 4);
    }

    public GeneratorConfig withRates(double late, double duplicates, double bad) {
        return new GeneratorConfig(seed, eventsPerDay, late, duplicates, bad, v1Share, users, campaigns, products, partitions);
    }

    private static void requireRate(String name, double r) {
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException(name + " must be within [0, 1], was " + r);
        }
    }
}
