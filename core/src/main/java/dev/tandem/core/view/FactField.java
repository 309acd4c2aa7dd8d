package dev.tandem.core.view;

/** The fields of a {@link Fact} a view may read, by their names in the event schema. */
public enum FactField {
    USER_ID("user_id"),
    CAMPAIGN_ID("campaign_id"),
    REGION("region"),
    CURRENCY("currency"),
    TOTAL_MINOR("total_minor"),
    QUERY("query");

    private final String column;

    FactField(String column) {
        this.column = column;
    }

    /** The column name in the master dataset and in events. */
    public String column() {
        return column;
    }

    public String stringValue(Fact f) {
        switch (this) {
            case USER_ID: return f.userId();
            case CAMPAIGN_ID: return f.campaignId();
            case REGION: return f.region();
            case CURRENCY: return f.currency();
            case QUERY: return f.query();
            case TOTAL_MINOR: return Long.toString(f.totalMinor());
            default: throw new AssertionError(this);
        }
    }

    public long longValue(Fact f) {
        if (this != TOTAL_MINOR) {
            throw new IllegalStateException(this + " is not numeric");
        }
        return f.totalMinor();
    }
}
