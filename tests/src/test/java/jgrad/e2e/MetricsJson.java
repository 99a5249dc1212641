package jgrad.e2e;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads what the tests compare in a run's metrics.json (one reader, so every test compares the same numbers). */
final class MetricsJson {
    private MetricsJson() {}

    /** The per-step losses of {@code loss_history}, exactly as written (NaN for a skipped step). */
    static double[] losses(JsonNode metrics) {
        JsonNode h = metrics.get("loss_history");
        double[] out = new double[h.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = h.get(i).asDouble();
        }
        return out;
    }
}
