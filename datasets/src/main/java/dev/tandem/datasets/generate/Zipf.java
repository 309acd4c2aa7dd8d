package dev.tandem.datasets.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Zipf(s) over ranks 0..n-1: rank 0 is the most popular. Sampling is a binary search on the CDF. */
final class Zipf {

    private final double[] cdf;

    Zipf(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive");
        }
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    int sample(SplittableRandom rnd) {
        int i = Arrays.binarySearch(cdf, rnd.nextDouble());
        return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
    }
}
