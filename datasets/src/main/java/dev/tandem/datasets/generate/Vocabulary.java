package dev.tandem.datasets.generate;

import java.util.List;

/** Words for realistic search queries and product names; fixed so generated data is stable. */
final class Vocabulary {

    static final List<String> COLORS = List.of("red", "blue", "black", "white", "green", "navy", "beige", "pink",
            "grey", "yellow", "olive", "burgundy");
    static final List<String> ADJECTIVES = List.of("cheap", "wireless", "organic", "vintage", "waterproof", "slim",
            "kids", "mens", "womens", "leather", "cotton", "noise cancelling", "4k", "refurbished", "best", "summer");
    static final List<String> NOUNS = List.of("shoes", "headphones", "jacket", "dress", "laptop", "backpack", "phone case",
            "running shoes", "jeans", "watch", "coffee maker", "sofa", "lamp", "tent", "bike", "sunglasses", "t-shirt",
            "monitor", "keyboard", "blender", "yoga mat", "water bottle", "desk", "charger", "sneakers", "scarf");
    static final List<String> EXTRAS = List.of("size 42", "under 50", "sale", "2026", "for men", "for women",
            "near me", "free shipping", "XL", "black friday", "gift", "usb-c");
    /** A few queries that exercise Unicode letters and digits in the tokenizer. */
    static final List<String> INTERNATIONAL = List.of("été robe", "Größe 42 Schuhe", "東京 ラーメン", "café crème",
            "niño chaqueta", "smörgåsbord", "İstanbul hotel");
    static final List<String> REGIONS = List.of("us", "eu", "uk", "apac", "latam");

    private Vocabulary() {
    }

    /** The currency v2 producers report in each region. */
    static String currencyOf(String region) {
        return switch (region) {
            case "eu" -> "EUR";
            case "uk" -> "GBP";
            case "apac" -> "JPY";
            case "latam" -> "BRL";
            default -> "USD";
        };
    }
}
