package dev.tandem.serving.query;

import dev.tandem.core.view.Granularity;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.tandem.serving.query.QueryException.badParameter;

/**
 * Turns raw request parameters into validated queries. Knows nothing of HTTP frameworks: it takes
 * the raw query string (decoded here, strictly, so malformed escapes are a 400 and not a server
 * error) and the view name from the path.
 */
public final class QueryParser {

    public static final Set<String> SERIES_PARAMS = Set.of("from", "to", "granularity", "groupBy", "metrics");
    public static final Set<String> TOP_PARAMS = Set.of("from", "to", "by", "limit", "metrics");

    private QueryParser() {
    }

    /** Decodes {@code a=1&b=x%20y}; a repeated name is an error (one value per parameter). */
    public static Map<String, String> parseQueryString(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        if (raw.length() > QueryLimits.MAX_QUERY_LENGTH) {
            throw QueryException.tooLarge("query string longer than " + QueryLimits.MAX_QUERY_LENGTH + " characters");
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.put(name, value) != null) {
                throw badParameter("parameter '" + Iso.printable(name) + "' given more than once; separate values with commas");
            }
        }
        return out;
    }

    static String decode(String s) {
        byte[] buf = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw badParameter("malformed percent-escape in the query string");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw badParameter("malformed percent-escape in the query string");
                }
                buf[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                buf[n++] = ' ';
            } else if (c < 0x80) {
                buf[n++] = (byte) c;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + enc.length > buf.length) {
                    buf = Arrays.copyOf(buf, buf.length + enc.length + 16);
                }
                System.arraycopy(enc, 0, buf, n, enc.length);
                n += enc.length;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw badParameter("the query string is not valid UTF-8 after decoding");
        }
    }

    public static ViewDefinition view(String name) {
        if (name == null || !Views.exists(name)) {
            throw QueryException.unknownView(name == null ? "" : name);
        }
        return Views.byName(name);
    }

    public static SeriesQuery series(String viewName, Map<String, String> params) {
        ViewDefinition view = view(viewName);
        checkNames(view, params, SERIES_PARAMS);
        Granularity g = view.granularity();
        String gp = params.get("granularity");
        if (gp != null) {
            g = switch (gp) {
                case "hour" -> Granularity.HOUR;
                case "day" -> Granularity.DAY;
                default -> throw badParameter("granularity must be hour or day, not '" + Iso.printable(gp) + "'");
            };
            if (g.millis() < view.granularity().millis()) {
                throw badParameter("view " + view.name() + " has " + view.granularity().name().toLowerCase(Locale.ROOT)
                        + " buckets; it cannot answer at granularity " + gp);
            }
        }
        long[] range = range(params, g);
        List<String> groupBy = view.dimensionNames();
        String gb = params.get("groupBy");
        if (gb != null) {
            groupBy = gb.isEmpty() ? List.of() : dimensionList(view, "groupBy", gb);
        }
        return new SeriesQuery(view, range[0], range[1], g, filters(view, params), groupBy, metrics(view, params));
    }

    public static TopQuery top(String viewName, Map<String, String> params) {
        ViewDefinition view = view(viewName);
        checkNames(view, params, TOP_PARAMS);
        long[] range = range(params, view.granularity());
        String by = params.get("by");
        if (by == null || by.isEmpty()) {
            throw badParameter("'by' is required: one of " + Metrics.names(view));
        }
        if (!Metrics.names(view).contains(by)) {
            throw badParameter("view " + view.name() + " has no metric '" + Iso.printable(by) + "'; metrics: " + Metrics.names(view));
        }
        int limit = QueryLimits.DEFAULT_TOP_LIMIT;
        String lp = params.get("limit");
        if (lp != null) {
            try {
                limit = Integer.parseInt(lp);
            } catch (NumberFormatException e) {
                throw badParameter("limit must be a whole number from 1 to " + QueryLimits.MAX_TOP_LIMIT);
            }
            if (limit < 1 || limit > QueryLimits.MAX_TOP_LIMIT) {
                throw badParameter("limit must be from 1 to " + QueryLimits.MAX_TOP_LIMIT + ", not " + limit);
            }
        }
        return new TopQuery(view, range[0], range[1], by, limit, filters(view, params), metrics(view, params));
    }

    private static void checkNames(ViewDefinition view, Map<String, String> params, Set<String> allowed) {
        for (String name : params.keySet()) {
            if (!allowed.contains(name) && !view.dimensionNames().contains(name)) {
                List<String> known = new ArrayList<>(allowed.stream().sorted().toList());
                known.addAll(view.dimensionNames());
                throw badParameter("unknown parameter '" + Iso.printable(name) + "'; this endpoint takes " + known);
            }
        }
    }

    private static long[] range(Map<String, String> params, Granularity g) {
        String f = params.get("from");
        String t = params.get("to");
        if (f == null || t == null) {
            throw badParameter("'from' and 'to' are required (ISO-8601 UTC, from inclusive, to exclusive)");
        }
        long from = Iso.parse("from", f);
        long to = Iso.parse("to", t);
        String unit = g.name().toLowerCase(Locale.ROOT);
        if (!g.isBucketStart(from) || !g.isBucketStart(to)) {
            throw badParameter("'from' and 'to' must be " + unit + " bucket starts (UTC), e.g. "
                    + Iso.format(g.bucketStart(from)));
        }
        if (from >= to) {
            throw badParameter("'from' must be before 'to'");
        }
        if (to - from > QueryLimits.MAX_RANGE_DAYS * 86_400_000L) {
            throw badParameter("range longer than " + QueryLimits.MAX_RANGE_DAYS + " days");
        }
        return new long[] {from, to};
    }

    private static Map<String, Set<String>> filters(ViewDefinition view, Map<String, String> params) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String dim : view.dimensionNames()) {
            String v = params.get(dim);
            if (v == null) {
                continue;
            }
            String[] raw = v.split(",", -1);
            Set<String> values = new LinkedHashSet<>(Arrays.asList(raw));
            if (raw.length > QueryLimits.MAX_FILTER_VALUES) {
                throw badParameter("at most " + QueryLimits.MAX_FILTER_VALUES + " values for " + dim);
            }
            for (String x : values) {
                if (x.isEmpty() || x.length() > QueryLimits.MAX_VALUE_LENGTH) {
                    throw badParameter(dim + " values must be 1 to " + QueryLimits.MAX_VALUE_LENGTH + " characters");
                }
            }
            out.put(dim, Set.copyOf(values));
        }
        return out;
    }

    private static List<String> dimensionList(ViewDefinition view, String param, String v) {
        List<String> out = new ArrayList<>();
        for (String d : v.split(",", -1)) {
            if (!view.dimensionNames().contains(d)) {
                throw badParameter(param + ": view " + view.name() + " has no dimension '" + Iso.printable(d)
                        + "'; dimensions: " + view.dimensionNames());
            }
            if (out.contains(d)) {
                throw badParameter(param + " names " + d + " twice");
            }
            out.add(d);
        }
        return out;
    }

    private static List<String> metrics(ViewDefinition view, Map<String, String> params) {
        String m = params.get("metrics");
        List<String> all = Metrics.names(view);
        if (m == null) {
            return all;
        }
        List<String> out = new ArrayList<>();
        for (String name : m.split(",", -1)) {
            if (!all.contains(name)) {
                throw badParameter("view " + view.name() + " has no metric '" + Iso.printable(name) + "'; metrics: " + all);
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }
}
