package jgrad.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.train.EpochStats;
import jgrad.train.Evaluation;

/** The parts of a summary that train and eval share: per-class accuracy, the confusion matrix, their JSON. */
final class Report {
    private Report() {}

    static void perClass(PrintWriter out, Evaluation e, List<String> names) {
        out.println("per-class accuracy");
        double[] acc = e.perClassAccuracy();
        int[][] m = e.confusion();
        for (int c = 0; c < e.classes(); c++) {
            int total = 0;
            for (int p = 0; p < e.classes(); p++) {
                total += m[c][p];
            }
            out.printf("  %-14s %s  (%d/%d)%n", name(names, c), Double.isNaN(acc[c]) ? "  n/a " : String.format("%.4f", acc[c]),
                    m[c][c], total);
        }
        out.println("confusion matrix (rows: true class, columns: predicted)");
        e.confusionTable(names).lines().forEach(l -> out.println("  " + l));
    }

    /** Accuracies of the epochs on one line, e.g. "0.9120 0.9341 …" (the per-epoch lines came during training). */
    static String epochAccuracies(List<EpochStats> epochs) {
        StringBuilder sb = new StringBuilder();
        for (EpochStats e : epochs) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.4f", e.testAccuracy()));
        }
        return sb.toString();
    }

    static void putEvaluation(Map<String, Object> m, Evaluation e, List<String> names) {
        m.put("class_names", names.subList(0, Math.min(names.size(), e.classes())));
        Map<String, Object> perClass = new LinkedHashMap<>();
        double[] acc = e.perClassAccuracy();
        for (int c = 0; c < e.classes(); c++) {
            perClass.put(name(names, c), Double.isNaN(acc[c]) ? null : acc[c]);
        }
        m.put("per_class_accuracy", perClass);
        m.put("confusion_matrix", e.confusion());
    }

    static List<Map<String, Object>> epochsJson(List<EpochStats> epochs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EpochStats e : epochs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("steps", e.endStep());
            row.put("mean_loss", e.meanLoss());
            row.put("test_accuracy", e.testAccuracy());
            row.put("lr", e.lr());
            row.put("train_seconds", e.trainSeconds());
            out.add(row);
        }
        return out;
    }

    static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : Integer.toString(c);
    }
}
