package dev.tandem.serving.query;

/**
 * A request the service refuses, with what an RFC 9457 problem needs: an HTTP-neutral status
 * code (4xx), a short stable title and a detail that tells the caller what to change.
 */
public final class QueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;

    public QueryException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public static QueryException badParameter(String detail) {
        return new QueryException(400, "Invalid query parameter", detail);
    }

    public static QueryException tooLarge(String detail) {
        return new QueryException(400, "Answer too large", detail);
    }

    public static QueryException unknownView(String view) {
        return new QueryException(404, "Unknown view", "no view named '" + Iso.printable(view) + "'; GET /api/v1/views lists them");
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
