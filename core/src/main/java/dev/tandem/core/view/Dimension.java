package dev.tandem.core.view;

import java.util.List;

/**
 * A view dimension: the name it has in view rows, the fact field it reads and whether it takes the
 * field's value as it is or splits it into search terms (one key per term occurrence).
 */
public record Dimension(String name, FactField field, boolean terms) {

    public static Dimension of(FactField field) {
        return new Dimension(field.column(), field, false);
    }

    public static Dimension termsOf(String name, FactField field) {
        return new Dimension(name, field, true);
    }

    /** The values this fact contributes under this dimension; a null field gives none. */
    public List<String> values(Fact f) {
        String v = field.stringValue(f);
        if (v == null) {
            return List.of();
        }
        return terms ? Terms.tokenize(v) : List.of(v);
    }
}
