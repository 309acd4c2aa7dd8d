package dev.tandem.core.view;

/**
 * What a view input stands for. Four kinds come straight from a deduplicated event; an
 * {@link #ATTRIBUTED_CLICK} comes from the attribution join of a click with its impression.
 */
public enum FactKind {
    IMPRESSION,
    CLICK,
    ATTRIBUTED_CLICK,
    ORDER,
    SEARCH
}
