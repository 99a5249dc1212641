package jgrad.train;

/**
 * Test-set predictions against labels: accuracy, per-class accuracy and the confusion matrix
 * ({@code confusion[true][predicted]} counts).
 */
public record Evaluation(int[] predictions, int[] labels, int classes, int[][] confusion) {

    public static Evaluation of(int[] predictions, float[] labels, int classes) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(predictions.length + " predictions for " + labels.length + " labels");
        }
        int[] truth = new int[labels.length];
        int[][] confusion = new int[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = (int) labels[i];
            int p = predictions[i];
            if (truth[i] < 0 || truth[i] >= classes || p < 0 || p >= classes) {
                throw new IllegalArgumentException("label " + truth[i] + " or prediction " + p + " at " + i
                        + " is outside 0.." + (classes - 1));
            }
            confusion[truth[i]][p]++;
        }
        return new Evaluation(predictions.clone(), truth, classes, confusion);
    }

    public int count() {
        return labels.length;
    }

    public double accuracy() {
        int correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
        }
        return labels.length == 0 ? 0 : (double) correct / labels.length;
    }

    /** Accuracy of each true class; NaN for a class with no test example. */
    public double[] perClassAccuracy() {
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            int total = 0;
            for (int p = 0; p < classes; p++) {
                total += confusion[c][p];
            }
            out[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return out;
    }

    /** The matrix as text: one row per true class, one column per prediction, with class names. */
    public String confusionTable(java.util.List<String> names) {
        int width = 6;
        for (String n : names) {
            width = Math.max(width, Math.min(n.length(), 12) + 1);
        }
        int first = Math.max(width + 6, 18);
        StringBuilder sb = new StringBuilder(String.format("%-" + first + "s", "true \\ predicted"));
        for (int p = 0; p < classes; p++) {
            sb.append(String.format("%" + width + "s", label(names, p)));
        }
        sb.append('\n');
        for (int t = 0; t < classes; t++) {
            sb.append(String.format("%-" + first + "s", label(names, t)));
            for (int p = 0; p < classes; p++) {
                sb.append(String.format("%" + width + "d", confusion[t][p]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String label(java.util.List<String> names, int c) {
        String n = c < names.size() ? names.get(c) : Integer.toString(c);
        return n.length() > 12 ? n.substring(0, 12) : n;
    }
}
